/** /metrics (prom-client), /healthz, /readyz and the ops_sample frames of /admin/live, in one process. */
import { closeDatabase } from '../../src/db/client.js'
import t from 'tap'
import { History, Ring } from '../../src/operations/history.js'
import { bucketQuantile } from '../../src/operations/sampler.js'
import type { OpsSample } from '../../src/protocol.js'
import { adminNotify, bearer, Browser, buildTestApp, connectReady, createUser } from '../helper.js'
import { metric, startPrivateRedis, until } from './fixtures/servers.js'

t.test('/metrics: prom-client text for loopback and admins, 403 otherwise; counters move by what was sent', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a1 = await connectReady(url, { token: alice.token })
  const a2 = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })

  const scrape = async () => {
    const res = await fetch(`${url}/metrics`) // a real loopback scrape, no credentials
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
    return res.text()
  }
  const before = await scrape()
  const bobMark = b.client.mark()
  for (let i = 0; i < 3; i++) {
    await adminNotify(s.app, admin, { user_ids: [alice.id], title: `Hi ${i}`, message: 'm' })
    await a1.client.next((f) => f.type === 'notification' && f.notification.title === `Hi ${i}`)
    await a2.client.next((f) => f.type === 'notification' && f.notification.title === `Hi ${i}`)
  }
  t.same(await b.client.since(bobMark, 100), [], 'bob got nothing')
  const after = await scrape()

  t.equal(metric(after, 'live_sockets_open'), 3)
  t.equal(metric(after, 'live_users_online'), 2)
  t.match(after, /^# TYPE live_delivery_latency_seconds histogram$/m)
  // A labelled series appears with its first sample: absent before means 0.
  const was = (name: string, labels: string) => (before.includes(`\n${name}${labels} `) ? metric(before, name, labels) : 0)
  const moved = (name: string, labels = '') => metric(after, name, labels) - was(name, labels)
  t.equal(moved('live_deliveries_total', '{event="notify"}'), 3, 'three notify events delivered')
  t.equal(moved('live_delivery_latency_seconds_count', '{event="notify"}'), 3)
  t.equal(moved('live_delivery_latency_seconds_bucket', '{le="+Inf",event="notify"}'), 3)
  t.equal(moved('live_frames_sent_total'), 6, 'one frame per notification per socket of alice')
  t.equal(metric(after, 'live_frames_dropped_total', '{reason="slow"}'), 0)
  t.match(after, /^live_bus_info\{kind="local"\} 1$/m)
  t.match(after, /^live_process_info\{pid="\d+",worker=""\} 1$/m)
  // prom-client's default Node metrics, and nothing of the old hand-written ones.
  t.match(after, /^process_resident_memory_bytes \d+$/m)
  t.match(after, /^nodejs_eventloop_lag_p99_seconds [\d.e-]+$/m)
  t.match(after, /^nodejs_heap_size_used_bytes \d+$/m)
  t.notMatch(after, /process_uptime_seconds|nodejs_eventloop_delay_p99_seconds/)

  // Through a proxy (X-Forwarded-For) or from elsewhere: admins only.
  t.equal((await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status, 403)
  const remote = await s.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: bearer(alice) })
  t.equal(remote.statusCode, 403, 'a non-admin from elsewhere is refused')
  const anonymous = await s.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: { accept: 'application/json' } })
  t.equal(anonymous.statusCode, 403)
  const asAdmin = await s.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: bearer(admin) })
  t.equal(asAdmin.statusCode, 200)
  t.match(asAdmin.body, /^live_sockets_open 3$/m)
  for (const c of [a1, a2, b]) await c.client.close()
})

t.test('/healthz says "ok" and nothing else; /readyz: 503 when the database is unreachable or the process drains', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app)
  const a = await connectReady(url, { token: alice.token })

  const health = await s.app.inject({ url: '/healthz', remoteAddress: '203.0.113.9' })
  t.equal(health.statusCode, 200)
  t.equal(health.body, 'ok\n', 'no socket count, no version')
  let ready = await fetch(`${url}/readyz`)
  t.equal(ready.status, 200)
  t.equal(await ready.text(), 'ready\n')

  s.app.startDraining()
  ready = await fetch(`${url}/readyz`)
  t.equal(ready.status, 503)
  t.equal(await ready.text(), 'not ready: draining\n', 'a local caller is told why')
  const fromElsewhere = await s.app.inject({ url: '/readyz', remoteAddress: '203.0.113.9' })
  t.equal(fromElsewhere.statusCode, 503)
  t.equal(fromElsewhere.body, 'not ready\n', 'anyone else only that it is not')
  t.equal((await fetch(`${url}/healthz`)).status, 200, 'still alive while draining')
  await a.client.close()
})

t.test('/readyz: 503 with a closed database handle', async (t) => {
  const s = await buildTestApp()
  const url = await s.listen()
  t.equal((await fetch(`${url}/readyz`)).status, 200)
  await closeDatabase(s.app.db)
  const res = await fetch(`${url}/readyz`)
  t.equal(res.status, 503)
  t.match(await res.text(), /^not ready: database unreachable/)
  await s.app.close().catch(() => {}) // its own onClose closes the handle again
})

t.test('/readyz with REDIS_URL: 503 while Redis is down, 200 again once it is back', async (t) => {
  const port = 6392
  const first = await startPrivateRedis(port).catch((err: Error) => err)
  if (first instanceof Error) {
    t.skip(`no private redis-server on ${port}: ${first.message}`, () => {})
    return
  }
  let redis = first
  t.teardown(() => redis.stop())
  const s = await buildTestApp({ redisUrl: redis.url, redisPrefix: `test:readyz:${process.pid}:` })
  t.teardown(() => s.close())
  const url = await s.listen()
  await until('ready', async () => (await fetch(`${url}/readyz`)).status === 200)
  await redis.stop()
  await until('503 once Redis is gone', async () => (await fetch(`${url}/readyz`)).status === 503)
  t.match(await (await fetch(`${url}/readyz`)).text(), /^not ready: redis (down|connecting)/)
  redis = await startPrivateRedis(port)
  await until('200 once Redis is back', async () => (await fetch(`${url}/readyz`)).status === 200, 15_000)
  t.pass('ready again')
})

t.test('ops_sample frames: to administrators following ops:live only', async (t) => {
  const s = await buildTestApp({ opsSampleMs: 100 })
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const admin2 = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const watching = await connectReady(url, { token: admin.token })
  const watching2 = await connectReady(url, { token: admin2.token })
  const notWatching = await connectReady(url, { token: admin.token })
  const user = await connectReady(url, { token: alice.token })

  const userMark = user.client.mark()
  const quietMark = notWatching.client.mark()
  user.client.send({ type: 'subscribe', topic: 'ops:live' })
  t.equal((await user.client.next('error')).code, 'forbidden', 'a non-admin may not follow ops:live')
  user.client.send({ type: 'subscribe', topic: 'ops:samples' })
  t.equal((await user.client.next((f) => f.type === 'error' && /ops:samples/.test(f.message))).code, 'forbidden')
  watching.client.send({ type: 'subscribe', topic: 'ops:live' })
  watching2.client.send({ type: 'subscribe', topic: 'ops:live' })

  await adminNotify(s.app, admin, { user_ids: [alice.id], title: 'Counted', message: '' })
  await user.client.next('notification')
  const busy = await watching.client.next((f) => f.type === 'ops_sample' && f.sample.deliveriesPerSecond > 0, 5000)
  const sample = busy.sample as OpsSample
  t.match(sample, { worker: null, sockets: 4, users: 3, redisUp: null, dropped: 0 })
  t.ok(sample.p50Ms !== null && sample.p99Ms! >= sample.p50Ms!, `latency p50 ${sample.p50Ms} ms, p99 ${sample.p99Ms} ms`)
  const same = await watching2.client.next((f) => f.type === 'ops_sample' && f.sample.t === sample.t, 5000)
  t.same(same.sample, sample, 'the second admin got the same sample')
  t.same(await user.client.since(userMark, 300, 'ops_sample'), [], 'the user got no sample')
  t.same(await notWatching.client.since(quietMark, 0, 'ops_sample'), [], 'an admin socket not following got none')

  // The page starts with what was sampled so far; only admins see it.
  const page = await (await new Browser(s.app).login(admin.username, admin.password)).get('/admin/live')
  t.equal(page.statusCode, 200)
  const history = JSON.parse(/<script type="application\/json" id="ops-history">([^<]*)<\/script>/.exec(page.body)![1]!) as OpsSample[]
  t.ok(history.some((h) => h.t === sample.t), 'the history holds the samples sent')
  t.match(page.body, /data-ws-topic="ops:live"/)
  t.match(page.body, /src="\/assets\/\w+\/uplot\/uPlot\.iife\.min\.js"/, 'uPlot from node_modules under the versioned prefix')
  const users = await new Browser(s.app).login(alice.username, alice.password)
  t.equal((await users.get('/admin/live')).statusCode, 403)
  t.equal((await new Browser(s.app).get('/admin/live')).statusCode, 302)
  for (const c of [watching, watching2, notWatching, user]) await c.client.close()
})

t.test('two processes on one bus: each keeps and pushes the other\'s samples', async (t) => {
  const { createLocalBus } = await import('../../src/realtime/bus.js')
  const group = new Set<Parameters<ReturnType<typeof createLocalBus>['onEvent']>[0]>()
  const A = await buildTestApp({ opsSampleMs: 100 }, { bus: createLocalBus(group) })
  t.teardown(() => A.close())
  const B = await buildTestApp({ opsSampleMs: 100 }, { bus: createLocalBus(group) })
  t.teardown(() => B.close())
  const url = await A.listen()
  const admin = await createUser(A.app, { admin: true })
  const w = await connectReady(url, { token: admin.token })
  w.client.send({ type: 'subscribe', topic: 'ops:live' })
  const sources = () => new Set(w.client.ofType('ops_sample').map((f) => f.sample.source as string))
  await until('samples of both apps', () => sources().size === 2)
  const [a, b] = [...sources()]
  t.pass(`told apart: ${a} and ${b}`)
  // B's page starts with A's samples too.
  const bAdmin = await createUser(B.app, { admin: true })
  const page = await B.app.inject({ url: '/admin/live', headers: bearer(bAdmin) })
  t.equal(page.statusCode, 200)
  t.ok([a, b].every((src) => page.body.includes(`"source":"${src}"`)), 'both processes in the history of B')
  await w.client.close()
})

t.test('history: a ring per process, 15 minutes', async (t) => {
  const ring = new Ring<number>(3)
  for (const n of [1, 2, 3, 4]) ring.push(n)
  t.same(ring.toArray(), [2, 3, 4])
  t.equal(ring.last(), 4)

  const at = (source: string, t: number) => ({ source, t }) as OpsSample
  const h = new History(1000, 10_000)
  for (let i = 0; i <= 30; i++) h.add(at('a', i * 1000))
  h.add(at('b', 1000))
  t.same(h.samples(30_000).map((s) => s.t), [20_000, 21_000, 22_000, 23_000, 24_000, 25_000, 26_000, 27_000, 28_000, 29_000, 30_000], 'the last 10 s of a; b fell out')

  t.equal(bucketQuantile([0, 0, 0], 0, 0.5), null)
  t.equal(bucketQuantile([2, 0, 0], 2, 0.5, [1, 2]), 0.5, 'halfway into the first bucket')
  t.equal(bucketQuantile([0, 0, 4], 4, 0.99, [1, 2]), 2, 'above the largest bucket: the largest bound')
})
