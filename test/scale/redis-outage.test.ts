/**
 * Redis goes away and comes back: each process keeps serving its sockets, logs the
 * outage once, reconnects, resubscribes and catches up, so nothing is lost.
 * Uses a private redis-server on another port (never the machine's 6379).
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { connectReady, type TestUser } from '../helper.js'
import { freePort, metric, metricsOf, post, sharedSite, startPrivateRedis, startServer, startServers, until, type ServerProcess } from './fixtures/servers.js'

// Real processes start slowly on a busy 2-core machine (tsx compiles the app in each).
t.setTimeout(400_000)

let haveRedisServer = true
try {
  execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
} catch {
  haveRedisServer = false
}

if (!haveRedisServer) {
  t.skip('redis-server is not installed: cannot stop and start a private Redis', () => {})
} else {
  t.test('nothing is lost while Redis is away', async (t) => {
    const redisPort = await freePort()
    let redis = await startPrivateRedis(redisPort)
    t.teardown(() => redis.stop())
    const { site, local, admin, users } = await sharedSite(t, { redisUrl: redis.url })
    const [alice, bob] = users as [TestUser, TestUser]
    const [A, B] = (await startServers(t, { ...site.env, OPS_SAMPLE_MS: '3600000' }, 2)) as [ServerProcess, ServerProcess]
    const a = await connectReady(B.url, { token: alice.token })
    const b = await connectReady(B.url, { token: bob.token })
    const bobPhone = await local.app.accounts.login((await local.app.accounts.findById(bob.id))!, 'api')
    const phone = await connectReady(B.url, { token: bobPhone.token })
    await until('B subscribed', async () => metric(await metricsOf(B), 'live_bus_channels') === 3)

    // Before the outage, a push crosses as usual.
    const first = await post(`${A.url}/api/notifications`, admin.token, { user_ids: [alice.id], title: 'before', message: '' })
    t.equal((await a.client.next('notification')).notification.id, first.json.ids[0])

    await redis.stop()
    await until('B sees Redis down', async () => /^live_redis_up 0$/m.test(await metricsOf(B)))

    // Committed meanwhile: through A (its publish waits in A's queue) and by a
    // writer whose events never reach Redis at all (only the catch-up can deliver it).
    const viaA = await post(`${A.url}/api/notifications`, admin.token, { user_ids: [alice.id], title: 'during, via A', message: '' })
    t.equal(viaA.status, 201, 'A keeps serving requests')
    const direct = await local.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'during, direct' })
    // alice read something on another device meanwhile: her badge must follow.
    const read = await post(`${A.url}/api/notifications/${first.json.ids[0]}/read`, alice.token)
    t.equal(read.status, 200)
    // bob logs his phone out through A meanwhile.
    t.equal((await post(`${A.url}/api/auth/logout`, bobPhone.token)).status < 300, true)

    // B keeps serving its sockets and accepts new ones while Redis is away.
    a.client.send({ type: 'ping', ts: 1 })
    t.same(await a.client.next('pong'), { type: 'pong', ts: 1 })
    const late = await connectReady(B.url, { token: alice.token })
    t.equal(late.initial.last_id, direct.ids[0], 'a new socket gets a fresh snapshot')
    t.same(late.initial.recent_notifications.map((n: { id: number }) => n.id).slice(0, 2), [direct.ids[0], viaA.json.ids[0]])

    // While Redis is away, B polls the shared database: alice gets both, a little late.
    const wanted = new Set([viaA.json.ids[0], direct.ids[0]])
    const idsOf = (s: typeof a) => s.client.ofType('notification').map((f) => f.notification.id).filter((id: number) => wanted.has(id))
    await until('the notifications committed during the outage', () => new Set(idsOf(a)).size === 2, 15000)
    t.pass('both reached alice on B while Redis was still away')
    t.equal(await phone.client.closed, 4401, 'the login revoked during the outage lost its socket on B')
    t.equal(b.client.closeCode, null, 'bob\'s other login stays')
    t.match(await metricsOf(B), /^live_redis_up 0$/m, 'Redis still away')

    redis = await startPrivateRedis(redisPort)
    await until('B resubscribed', async () => /^live_redis_up 1$/m.test(await metricsOf(B)), 15000)
    await until('A reconnected', async () => /^live_redis_up 1$/m.test(await metricsOf(A)), 15000)
    await a.client.settle(1000) // A's queued publish arrives now: a late copy
    t.same(idsOf(a).sort(), [...wanted].sort(), 'each once: late copies of rows already caught up are dropped')
    t.ok(a.client.ofType('count_update').length >= 1, 'a fresh count_update after the outage')
    t.equal(a.client.ofType('count_update').at(-1)!.unread_count, 2)
    t.equal(a.client.closeCode, null, 'alice\'s socket stayed open')
    t.equal(b.client.ofType('notification').length, 0, 'bob got nothing')
    t.same(late.client.ofType('notification').map((f) => f.notification.id), [], 'the socket opened during the outage had it all in its snapshot')

    // After the outage the bus works again both ways.
    const after = await post(`${A.url}/api/notifications`, admin.token, { user_ids: [bob.id], title: 'after', message: '' })
    t.equal((await b.client.next('notification', 10000)).notification.id, after.json.ids[0])

    for (const [name, server] of [['A', A], ['B', B]] as const) {
      const lost = server.lines.filter((l) => /Redis connection lost/.test(l))
      t.equal(lost.length, 1, `${name} logged the outage once (${server.lines.filter((l) => /Redis/.test(l)).length} Redis lines)`)
      t.equal(server.lines.filter((l) => /Redis connection restored/.test(l)).length, 1, `${name} logged the recovery once`)
    }
    const figures = await metricsOf(B)
    t.equal(metric(figures, 'live_redis_reconnects_total'), 1)
    t.ok(metric(figures, 'live_catchup_replayed_total') >= 2, 'the catch-up is counted')
    t.equal(metric(figures, 'live_catchup_revoked_closed_total'), 1)
    for (const s of [a, b, late]) await s.client.close()
  })

  t.test('several outages and a restart while publishing: every socket gets every id once', async (t) => {
    const started = Date.now()
    const redisPort = await freePort()
    let redis = await startPrivateRedis(redisPort)
    t.teardown(() => redis.stop())
    const { site, local, admin, users } = await sharedSite(t, { redisUrl: redis.url, users: 4 })
    let [A, B] = (await startServers(t, { ...site.env, OPS_SAMPLE_MS: '3600000' }, 2)) as [ServerProcess, ServerProcess]

    /** A client: its sockets one after the other (a restart makes it resume with since=), all frames kept. */
    interface Reader {
      user: TestUser
      server: 'A' | 'B'
      firstLastId: number
      sockets: Array<Awaited<ReturnType<typeof connectReady>>>
    }
    const open = async (user: TestUser, server: 'A' | 'B'): Promise<Reader> => {
      const s = await connectReady((server === 'A' ? A : B).url, { token: user.token })
      return { user, server, firstLastId: s.initial.last_id, sockets: [s] }
    }
    const seen = (r: Reader) => r.sockets.flatMap((s) => s.client.ofType('notification').map((f) => f.notification.id as number))
    // 30 sockets: users 0-1 on B only (three tabs each), user 2 on A only, user 3 on both.
    const readers: Reader[] = []
    for (const [i, server, tabs] of [[0, 'B', 3], [1, 'B', 3], [2, 'A', 3], [3, 'A', 3], [3, 'B', 3]] as const) {
      for (let k = 0; k < tabs; k++) readers.push(await open(users[i]!, server))
    }
    await until('B subscribed', async () => metric(await metricsOf(B), 'live_bus_channels') === 4)

    // Through A, ~40 rows a second for the four users, until told to stop.
    let publishing = true
    const publisher = (async () => {
      while (publishing) {
        await post(`${A.url}/api/notifications`, admin.token, { user_ids: users.map((u) => u.id), title: 'tick', message: '' }).catch(() => {})
        await new Promise((r) => setTimeout(r, 100))
      }
    })()
    const redisDown = async (ms: number, during?: () => Promise<void>) => {
      await redis.stop()
      await new Promise((r) => setTimeout(r, ms))
      await during?.()
      redis = await startPrivateRedis(redisPort)
      await until('B back on Redis', async () => /^live_redis_up 1$/m.test(await metricsOf(B)), 20000)
      await new Promise((r) => setTimeout(r, 800))
    }
    await new Promise((r) => setTimeout(r, 500))
    await redisDown(3500)
    await redisDown(1500)
    // B restarts during an outage: its sockets resume on the new B with since=<the last id they saw>.
    await redisDown(1000, async () => {
      const onB = readers.filter((r) => r.server === 'B')
      const closing = onB.map((r) => r.sockets.at(-1)!.client.closed)
      await B.stop()
      t.same(new Set(await Promise.all(closing)), new Set([1012]), 'B closed its sockets with 1012')
      B = await startServer({ ...site.env, OPS_SAMPLE_MS: '3600000' })
      t.teardown(() => B.stop())
      for (const r of onB) {
        const since = String(Math.max(r.firstLastId, ...seen(r)))
        r.sockets.push(await connectReady(B.url, { token: r.user.token, query: { since } }))
      }
    })
    await redisDown(3500)
    publishing = false
    await publisher

    /** Every id of a user, from the shared database. */
    const allIds = async (userId: number) => {
      const out: number[] = []
      for (let page = await local.app.notifications.since(userId, 0); ; page = await local.app.notifications.since(userId, out.at(-1)!)) {
        out.push(...page.notifications.map((n) => n.id))
        if (!page.truncated) return out
      }
    }
    const expected = new Map<number, number[]>()
    for (const u of users) expected.set(u.id, await allIds(u.id))
    const want = (r: Reader) => expected.get(r.user.id)!.filter((id) => id > r.firstLastId)
    await until('every socket has every id', () => readers.every((r) => want(r).every((id) => seen(r).includes(id))), 20000).catch(() => {})

    let duplicates = 0
    let lost = 0
    for (const [i, r] of readers.entries()) {
      const got = seen(r)
      const twice = got.filter((id, k) => got.indexOf(id) !== k)
      const missing = want(r).filter((id) => !got.includes(id))
      duplicates += twice.length
      lost += missing.length
      // Which of the reader's connections (before and after B's restart) got each repeat, and when.
      const where = twice.map((id) => `${id} on connection(s) ${r.sockets.flatMap((s, k) => s.client.ofType('notification').filter((f) => f.notification.id === id).map(() => k + 1)).join('+')}`)
      if (twice.length || missing.length) t.fail(`socket ${i} (${r.server}, user ${r.user.id}): twice ${where.join(', ')}; missing ${missing.join(',')}; since= ${r.sockets.slice(1).map((s) => s.client.ws.url.replace(/.*since=/, '')).join(',')}`)
    }
    t.equal(duplicates, 0, 'no socket got an id twice')
    t.equal(lost, 0, 'no socket missed an id')
    t.ok(want(readers[0]!).length > 40, `notifications were flowing (${want(readers[0]!).length} for one user)`)
    t.comment(`four outages and a restart in ${Math.round((Date.now() - started) / 1000)} s`)
    for (const r of readers) for (const s of r.sockets) await s.client.close()
  })
}
