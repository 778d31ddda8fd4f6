/**
 * Two real server processes, one SQLite file, one Redis: they behave as one site.
 * Needs the Redis at 127.0.0.1:6379 (skipped with a message when it is not there).
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { connectReady, createUser, type TestUser } from '../helper.js'
import { metric, metricsOf, post, REDIS_URL, redisProblem, sharedSite, startServers, until, type ServerProcess } from './fixtures/servers.js'

// Real processes start slowly on a busy 2-core machine (tsx compiles the app in each).
t.setTimeout(300_000)

const problem = await redisProblem()
if (problem) {
  t.skip(`Redis not reachable at 127.0.0.1:6379: ${problem}`, () => {})
} else {
  t.test('two processes behave as one site', async (t) => {
    const { site, local, admin, users } = await sharedSite(t, { users: 3 })
    const [alice, bob, carol] = users as [TestUser, TestUser, TestUser]
    // No /admin/live samples on the bus during the test: the counts below are the domain events'.
    const [A, B] = (await startServers(t, { ...site.env, OPS_SAMPLE_MS: '3600000' }, 2)) as [ServerProcess, ServerProcess]
    const redis = new Redis(REDIS_URL)
    t.teardown(() => redis.quit())

    // alice: two tabs on B, one on A; bob only on A; carol only on B.
    const a1 = await connectReady(B.url, { token: alice.token })
    const a2 = await connectReady(B.url, { token: alice.token })
    const a3 = await connectReady(A.url, { token: alice.token })
    const b = await connectReady(A.url, { token: bob.token })
    const c = await connectReady(B.url, { token: carol.token })
    const ch = (key: string) => site.prefix + key
    await until('subscriptions', async () => {
      const n = (await redis.pubsub('NUMSUB', ch(`user:${alice.id}`), ch(`user:${bob.id}`), ch(`user:${carol.id}`), ch('broadcast'))) as Array<string | number>
      return n[1] === 2 && n[3] === 1 && n[5] === 1 && n[7] === 2
    })

    await t.test('a notification created through A reaches the sockets B holds', async (t) => {
      const marks = [c.client.mark(), b.client.mark()]
      const res = await post(`${A.url}/api/notifications`, admin.token, { user_ids: [alice.id], title: 'From A', message: 'hello' })
      t.equal(res.status, 201)
      const id = res.json.ids[0]
      for (const s of [a1, a2, a3]) {
        const f = await s.client.next('notification')
        t.equal(f.notification.id, id)
        t.equal(f.notification.title, 'From A')
        t.equal(f.unread_count, 1)
      }
      t.same(await c.client.since(marks[0]!, 200), [], 'carol (also on B) got nothing')
      t.same(await b.client.since(marks[1]!, 0), [], 'bob (on A) got nothing')
    })

    await t.test('a mark-read on A updates the counts of the tabs on B', async (t) => {
      const list = await fetch(`${A.url}/api/notifications`, { headers: { authorization: `Bearer ${alice.token}` } }).then((r) => r.json())
      const marks = [c.client.mark(), b.client.mark()]
      const res = await post(`${A.url}/api/notifications/${list.notifications[0].id}/read`, alice.token)
      t.equal(res.status, 200)
      for (const s of [a1, a2, a3]) t.equal((await s.client.next('count_update')).unread_count, 0)
      t.same(await c.client.since(marks[0]!, 200), [], 'carol got nothing')
      t.same(await b.client.since(marks[1]!, 0), [], 'bob got nothing')
    })

    await t.test('a process receives only the events of users it holds sockets for', async (t) => {
      const before = { A: await metricsOf(A), B: await metricsOf(B) }
      const carolMark = c.client.mark()
      const res = await post(`${A.url}/api/notifications`, admin.token, { user_ids: [bob.id], title: 'Bob only', message: '' })
      t.equal(res.status, 201)
      t.equal((await b.client.next('notification')).notification.title, 'Bob only')
      const after = { A: await metricsOf(A), B: await metricsOf(B) }
      const received = (text: string) => metric(text, 'live_bus_messages_received_total')
      t.equal(received(after.A) - received(before.A), 1, 'A (holds bob) received the event')
      t.equal(received(after.B) - received(before.B), 0, 'B (no socket of bob) received nothing')
      t.same(await c.client.since(carolMark, 100), [], 'carol got nothing')
      t.same(a1.client.ofType('notification').length, 1, 'alice got nothing more')

      const channels = ((await redis.pubsub('CHANNELS', `${site.prefix}*`)) as string[]).sort()
      t.same(
        channels,
        [ch('broadcast'), ch('topic:ops:samples'), ch(`user:${alice.id}`), ch(`user:${bob.id}`), ch(`user:${carol.id}`)].sort(),
        'one channel per user online, plus the broadcast and the /admin/live samples',
      )
    })

    await t.test('a broadcast is one publish and reaches everyone on both processes', async (t) => {
      const before = await metricsOf(A)
      const res = await post(`${A.url}/api/notifications`, admin.token, { all: true, title: 'Everyone', message: 'maintenance' })
      t.equal(res.status, 201)
      t.equal(res.json.created, 4)
      for (const s of [a1, a2, a3, b, c]) t.equal((await s.client.next('notification')).notification.title, 'Everyone')
      const after = await metricsOf(A)
      const pubs = (text: string, channel: string) => metric(text, 'live_bus_publishes_total', `{channel="${channel}"}`)
      t.equal(pubs(after, 'broadcast') - pubs(before, 'broadcast'), 1, 'one publish')
      t.equal(pubs(after, 'user') - pubs(before, 'user'), 0, 'no per-user publishes')
      t.match(after, /^live_redis_up 1$/m)
      t.match(after, /^live_bus_lag_seconds_count \d+$/m)
    })

    await t.test('friend requests, messages, typing and presence cross processes', async (t) => {
      // bob (on A) asks carol (on B); carol accepts through B; bob on A hears of it.
      const req = await post(`${A.url}/api/friends/request/${carol.id}`, bob.token)
      t.equal(req.status, 201)
      t.equal((await c.client.next('friend_request')).data.from_user.id, bob.id)
      const acc = await post(`${B.url}/api/friends/accept/${req.json.request_id}`, carol.token)
      t.equal(acc.status, 200)
      t.equal((await b.client.next('friend_accepted')).data.friend.id, carol.id)

      // A message sent through A reaches carol on B; typing on A's socket too.
      const msg = await post(`${A.url}/api/messages`, bob.token, { recipient_id: carol.id, content: 'hi from A', client_id: `c-${Date.now()}` })
      t.equal(msg.status, 201)
      const pushed = await c.client.next('new_message')
      t.equal(pushed.data.content, 'hi from A')
      b.client.send({ type: 'typing', conversation_id: msg.json.message.conversation_id, is_typing: true })
      const typing = await c.client.next('typing')
      t.equal(typing.user.id, bob.id)
      t.equal(typing.is_typing, true)

      // A friend of carol comes online on A: carol on B sees it.
      const dave = await createUser(local.app)
      const dreq = await post(`${A.url}/api/friends/request/${carol.id}`, dave.token)
      await post(`${B.url}/api/friends/accept/${dreq.json.request_id}`, carol.token)
      const d = await connectReady(A.url, { token: dave.token })
      t.match(await c.client.next((f) => f.type === 'presence' && f.user_id === dave.id), { type: 'presence', user_id: dave.id, online: true }, 'presence crossed')
      t.equal(a1.client.ofType('new_message').length + a1.client.ofType('typing').length + a1.client.ofType('presence').length, 0, 'alice got none of it')
      await d.client.close()
    })

    await t.test('a logout on A closes that login\'s sockets on B with 4401', async (t) => {
      const login = await local.app.accounts.login((await local.app.accounts.findById(carol.id))!, 'api')
      const other = await connectReady(B.url, { token: login.token })
      await until('carol second login subscribed', async () => ((await redis.pubsub('NUMSUB', ch(`user:${carol.id}`))) as Array<string | number>)[1] === 1)
      const carolMark = c.client.mark()
      const res = await post(`${A.url}/api/auth/logout`, login.token)
      t.ok(res.status === 200 || res.status === 204, `logout answered ${res.status}`)
      t.equal(await other.client.closed, 4401)
      t.same(await c.client.since(carolMark, 200), [], 'carol\'s other login got nothing and stays open')
      t.equal(c.client.closeCode, null)
    })

    await t.test('the channel goes when the user\'s last socket here closes', async (t) => {
      await c.client.close()
      await until('carol unsubscribed', async () => ((await redis.pubsub('NUMSUB', ch(`user:${carol.id}`))) as Array<string | number>)[1] === 0)
      await a1.client.close()
      await a2.client.close()
      await until('alice only on A', async () => ((await redis.pubsub('NUMSUB', ch(`user:${alice.id}`))) as Array<string | number>)[1] === 1)
      t.pass('unsubscribed')
    })

    for (const s of [a3, b]) await s.client.close()
  })
}
