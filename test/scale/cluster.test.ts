/** WORKERS=N: N processes on one port joined by Redis; refused without REDIS_URL. */
import t from 'tap'
import { Redis } from 'ioredis'
import { connectReady, type TestUser } from '../helper.js'
import { get, metric, newSite, post, REDIS_URL, redisProblem, sharedSite, startServer, until } from './fixtures/servers.js'

// Real processes start slowly on a busy 2-core machine (tsx compiles the app in each).
t.setTimeout(300_000)

t.test('WORKERS=2 without REDIS_URL refuses to start', async (t) => {
  const site = newSite()
  t.teardown(site.cleanup)
  const { REDIS_URL: _omit, ...env } = site.env
  const server = await startServer({ ...env, WORKERS: '2' }, { waitHealthy: false })
  t.equal(await server.exited, 1, 'exit code 1')
  t.match(server.lines.join('\n'), /WORKERS=2 needs REDIS_URL/)
})

t.test('WORKERS=abc is refused with a clear message', async (t) => {
  const site = newSite()
  t.teardown(site.cleanup)
  const server = await startServer({ ...site.env, WORKERS: 'abc' }, { waitHealthy: false })
  t.equal(await server.exited, 1)
  t.match(server.lines.join('\n'), /WORKERS must be a whole number/)
})

const problem = await redisProblem()
if (problem) {
  t.skip(`Redis not reachable at 127.0.0.1:6379: ${problem}`, () => {})
} else {
  t.test('WORKERS=2 with REDIS_URL serves one port from two processes', async (t) => {
    const { site, admin, users } = await sharedSite(t)
    const [alice, bob] = users as [TestUser, TestUser]

    const server = await startServer({ ...site.env, WORKERS: '2', OPS_SAMPLE_MS: '250' })
    t.teardown(() => server.stop())
    await until('both workers listening', () => server.lines.some((l) => /with 2 workers/.test(l)), 60000)

    // One scrape shows the site: the primary's AggregatorRegistry adds up both workers.
    const scrape = async () => {
      const res = await get(`${server.url}/metrics`)
      t.equal(res.status, 200)
      return res.body
    }
    const first = await scrape()
    const infos = [...first.matchAll(/^live_process_info\{pid="(\d+)",worker="(\d+)"\} 1$/gm)]
    t.equal(new Set(infos.map((m) => m[1])).size, 2, 'two worker processes behind one port')
    t.same(infos.map((m) => m[2]).sort(), ['1', '2'])
    t.equal(first.match(/^# TYPE live_sockets_open gauge$/gm)?.length, 1, 'one TYPE line per family')

    const redis = new Redis(REDIS_URL)
    t.teardown(() => redis.quit())
    const tabs = []
    for (let i = 0; i < 4; i++) tabs.push(await connectReady(server.url, { token: alice.token }))
    const b = await connectReady(server.url, { token: bob.token })
    await until('alice subscribed on both workers', async () => {
      const n = (await redis.pubsub('NUMSUB', `${site.prefix}user:${alice.id}`)) as Array<string | number>
      return n[1] === 2
    })

    const before = await scrape()
    const bobMark = b.client.mark()
    const sent = 3
    for (let i = 0; i < sent; i++) {
      const res = await post(`${server.url}/api/notifications`, admin.token, { user_ids: [alice.id], title: `Cluster ${i}`, message: '' })
      t.equal(res.status, 201)
      for (const tab of tabs) t.equal((await tab.client.next((f) => f.type === 'notification' && f.notification.title === `Cluster ${i}`)).notification.id, res.json.ids[0])
    }
    t.same(await b.client.since(bobMark, 200), [], 'bob got nothing')
    const after = await scrape()
    const was = (name: string, labels: string) => (before.includes(`\n${name}${labels} `) ? metric(before, name, labels) : 0)
    const moved = (name: string, labels = '') => metric(after, name, labels) - was(name, labels)
    t.equal(metric(after, 'live_sockets_open'), 5, 'the sockets of both workers add up')
    t.equal(moved('live_frames_sent_total'), sent * 4, 'one frame per notification per tab of alice, on both workers')
    t.equal(moved('live_deliveries_total', '{event="notify"}'), sent * 2, 'each notification delivered by the two workers holding alice')
    t.equal(moved('live_delivery_latency_seconds_count', '{event="notify"}'), sent * 2)
    t.equal(metric(after, 'live_redis_up'), 1)

    // /admin/live starts with the samples of both workers, whichever worker renders it.
    await until('samples of both workers', async () => {
      const page = await get(`${server.url}/admin/live`, { authorization: `Bearer ${admin.token}` })
      const history = JSON.parse(/id="ops-history">([^<]*)</.exec(page.body)?.[1] ?? '[]') as Array<{ worker: number }>
      return new Set(history.map((h) => h.worker)).size === 2
    })
    t.pass('both workers in the history')

    // Stopping the primary stops the workers; their sockets get 1012.
    const code = await server.stop('SIGTERM')
    t.equal(code, 0, 'the primary exits cleanly')
    for (const s of [...tabs, b]) t.equal(await s.client.closed, 1012)
  })
}
