/**
 * Redis goes away and comes back: each process keeps serving its sockets, logs the
 * outage once, reconnects, resubscribes and catches up, so nothing is lost.
 * Uses a private redis-server on another port (never the machine's 6379).
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { buildTestApp, connectReady, createUser } from '../helper.js'
import { freePort, JWT_SECRET, metric, metricsOf, newSite, post, startPrivateRedis, startServer, until } from './fixtures/servers.js'

// Real processes start slowly on a busy 2-core machine (tsx compiles the app in each).
t.setTimeout(300_000)

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
    const site = newSite(redis.url)
    t.teardown(site.cleanup)
    const local = await buildTestApp({ databasePath: site.databasePath, jwtSecret: JWT_SECRET })
    t.teardown(() => local.close())
    const admin = await createUser(local.app, { admin: true })
    const alice = await createUser(local.app)
    const bob = await createUser(local.app)

    const [A, B] = await Promise.all([startServer(site.env), startServer(site.env)])
    t.teardown(() => Promise.all([A.stop(), B.stop()]))
    const a = await connectReady(B.url, { token: alice.token })
    const b = await connectReady(B.url, { token: bob.token })
    const bobPhone = local.app.accounts.login(local.app.accounts.findById(bob.id)!, 'api')
    const phone = await connectReady(B.url, { token: bobPhone.token })
    await until('B subscribed', async () => metric(await metricsOf(B), 'live_bus_channels') === 2)

    // Before the outage, a push crosses as usual.
    const first = await post(`${A.url}/api/notifications`, admin.token, { user_ids: [alice.id], title: 'before', message: '' })
    t.equal((await a.client.next('notification')).notification.id, first.json.ids[0])

    await redis.stop()
    await until('B sees Redis down', async () => /^live_redis_up 0$/m.test(await metricsOf(B)))

    // Committed meanwhile: through A (its publish waits in A's queue) and by a
    // writer whose events never reach Redis at all (only the catch-up can deliver it).
    const viaA = await post(`${A.url}/api/notifications`, admin.token, { user_ids: [alice.id], title: 'during, via A', message: '' })
    t.equal(viaA.status, 201, 'A keeps serving requests')
    const direct = local.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'during, direct' })
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
    await a.client.quiet(1000) // A's queued publish arrives now: a late copy
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
}
