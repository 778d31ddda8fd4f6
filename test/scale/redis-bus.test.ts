/** The Redis bus on its own: channel routing, batched subscriptions, one publish per broadcast. */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { Redis } from 'ioredis'
import type { BusEvent } from '../../src/realtime/bus.js'
import { createRedisBus } from '../../src/realtime/redis-bus.js'
import { freePort, startPrivateRedis, until } from './fixtures/servers.js'
import { systemTemplate } from '../realtime/fixtures/live.js'

t.setTimeout(120_000)

let haveRedisServer = true
try {
  execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
} catch {
  haveRedisServer = false
}

const silent = { info() {}, warn() {}, error() {} }
const template = systemTemplate('T', new Date(0))

if (!haveRedisServer) {
  t.skip('redis-server is not installed', () => {})
} else {
  t.test('routing, batching and interest', async (t) => {
    const redis = await startPrivateRedis(await freePort())
    t.teardown(() => redis.stop())
    const admin = new Redis(redis.url)
    t.teardown(() => admin.quit())
    const commands = async (name: string) => {
      const info = await admin.info('commandstats')
      return Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0)
    }

    const A = createRedisBus(redis.url, silent, { prefix: 'p:' })
    const B = createRedisBus(redis.url, silent, { prefix: 'p:' })
    t.teardown(() => Promise.all([A.close(), B.close()]))
    await Promise.all([A.ready(), B.ready()])
    const got: Record<'A' | 'B', BusEvent[]> = { A: [], B: [] }
    A.onEvent((e) => got.A.push(e))
    B.onEvent((e) => got.B.push(e))
    const resynced: number[] = []
    B.onResync((ids) => resynced.push(...ids))

    // 2,000 users come online on B in one tick: two SUBSCRIBE commands, not 2,000.
    const before = await commands('subscribe')
    for (let id = 1; id <= 2000; id++) B.watch(`user:${id}`)
    A.watch('user:5000')
    B.watch('topic:post:4')
    await until('subscriptions', async () => {
      const n = (await admin.pubsub('NUMSUB', 'p:user:2000', 'p:user:5000', 'p:topic:post:4')) as Array<string | number>
      return n[1] === 1 && n[3] === 1 && n[5] === 1
    })
    t.ok((await commands('subscribe')) - before <= 4, 'watches are batched into a few SUBSCRIBE commands')
    await until('resync of the new users', () => resynced.length === 2000)
    t.equal(B.stats.channels, 2001)

    // notify to users held by B and by A: each process receives only its users' part.
    A.publish({ type: 'notify', template, recipients: [[1, 11], [2, 12], [5000, 13], [9999, 14]] })
    await until('delivery', () => got.B.length === 2 && got.A.length === 1)
    t.same(got.B.map((e) => e.type === 'notify' && e.recipients), [[[1, 11]], [[2, 12]]])
    t.same(got.A.map((e) => e.type === 'notify' && e.recipients), [[[5000, 13]]])
    t.same(A.stats.publishes, { user: 4, topic: 0, broadcast: 0 }, 'one publish per recipient (in one pipeline)')
    t.ok((got.B[0] as BusEvent & { template: unknown }).template, 'the template travels with each')

    // counts and frames are split per user; topic frames go to the topic channel.
    got.A.length = got.B.length = 0
    A.publish({ type: 'counts', userIds: [3, 5000] })
    A.publish({ type: 'frame', userIds: [4], frame: { type: 'pong', ts: 1 } })
    A.publish({ type: 'topic', topic: 'post:4', frame: { type: 'pong', ts: 2 } })
    A.publish({ type: 'session_revoked', sessionId: 's', userId: 5000 })
    await until('delivery', () => got.B.length === 3 && got.A.length === 2)
    t.same(got.B.map((e) => e.type).sort(), ['counts', 'frame', 'topic'])
    t.same(got.A.map((e) => e.type).sort(), ['counts', 'session_revoked'])

    // A broadcast is one publish, received once by every process.
    got.A.length = got.B.length = 0
    const pubs = await commands('publish')
    A.publish({ type: 'notify_all', template, fromId: 1, toId: 100000 })
    await until('broadcast', () => got.A.length === 1 && got.B.length === 1)
    t.equal((await commands('publish')) - pubs, 1, 'one PUBLISH for everyone')
    t.equal(A.stats.publishes.broadcast, 1)

    // Unwatch removes the channel; watch+unwatch in one tick costs nothing.
    for (let id = 1; id <= 2000; id++) B.unwatch(`user:${id}`)
    B.watch('user:7777')
    B.unwatch('user:7777')
    await until('unsubscribed', async () => ((await admin.pubsub('CHANNELS', 'p:user:*')) as string[]).length === 1)
    t.same(await admin.pubsub('CHANNELS', 'p:user:*'), ['p:user:5000'])
    t.equal(A.state(), 'ready')
  })
}

t.test('Redis unreachable at start: the process serves, logs once, and still delivers from the database', async (t) => {
  const { adminNotify, buildTestApp, connectReady, createUser } = await import('../helper.js')
  const port = await freePort() // nothing listens there
  const lines: string[] = []
  const log = { info: (_o: object, m: string) => lines.push(m), warn: (_o: object, m: string) => lines.push(m), error: (_o: object, m: string) => lines.push(m) }
  const bus = createRedisBus(`redis://127.0.0.1:${port}`, log, { prefix: 'x:' })
  const s = await buildTestApp({}, { bus })
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  t.equal(bus.state(), 'connecting')

  const res = await adminNotify(s.app, admin, { user_ids: [alice.id], title: 'Without Redis', message: '' })
  t.equal(res.statusCode, 201)
  const f = await a.client.next('notification', 10_000)
  t.equal(f.notification.title, 'Without Redis', 'delivered by the database poll')
  t.same(b.client.ofType('notification'), [], 'bob got nothing')
  t.equal(lines.filter((l) => /Redis not reachable/.test(l)).length, 1, `logged once (${lines.length} lines)`)
  const metrics = await fetch(`${url}/metrics`).then((r) => r.text())
  t.match(metrics, /^live_redis_connection_state\{state="connecting"\} 1$/m)
  t.match(metrics, /^live_redis_up 0$/m)

  // Redis appears: the bus connects, subscribes what the hub holds, and pushes live.
  const redis = await startPrivateRedis(port)
  t.teardown(() => redis.stop())
  await until('bus ready', () => bus.state() === 'ready', 15_000)
  await until('channels', () => bus.stats.channels === 3) // alice, bob and the /admin/live samples
  const live = await adminNotify(s.app, admin, { user_ids: [bob.id], title: 'Live again', message: '' })
  t.equal((await b.client.next('notification', 5000)).notification.id, live.json().ids[0])
  t.equal(bus.stats.publishes.user, 2, 'both publishes went through Redis (the first waited in the queue)')
  t.equal(lines.filter((l) => /Redis connected/.test(l)).length, 1)
  await a.client.settle(300)
  t.equal(a.client.ofType('notification').length, 1, 'the queued copy of what the poll delivered was dropped')
  await a.client.close()
  await b.client.close()
})
