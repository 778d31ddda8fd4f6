import t from 'tap'
import { bearer, Browser, buildTestApp, connectReady, createUser, adminNotify } from '../helper.js'

t.test('/metrics: Prometheus text for loopback and admins, 403 otherwise', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })

  const bobMark = b.client.mark()
  await adminNotify(s.app, admin, { user_ids: [alice.id], title: 'Hi', message: 'm' })
  await a.client.next('notification')
  t.same(await b.client.since(bobMark, 100), [], 'bob got nothing')

  // A real loopback scrape, no credentials.
  const res = await fetch(`${url}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const text = await res.text()
  t.match(text, /^live_sockets_open 2$/m)
  t.match(text, /^live_users_online 2$/m)
  t.match(text, /^# TYPE live_delivery_latency_seconds histogram$/m)
  t.match(text, /^live_delivery_latency_seconds_count\{event="notify"\} 1$/m)
  t.match(text, /^live_delivery_latency_seconds_bucket\{event="notify",le="\+Inf"\} 1$/m)
  t.match(text, /^live_frames_dropped_total\{reason="slow"\} 0$/m)
  t.match(text, /^live_bus_info\{kind="local"\} 1$/m)
  t.match(text, /^live_frames_sent_total \d+$/m)

  // Through a proxy (X-Forwarded-For) or from elsewhere: admins only.
  const proxied = await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })
  t.equal(proxied.status, 403)
  const remote = await s.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: bearer(alice) })
  t.equal(remote.statusCode, 403, 'a non-admin from elsewhere is refused')
  const anonymous = await s.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: { accept: 'application/json' } })
  t.equal(anonymous.statusCode, 403)
  const asAdmin = await s.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9', headers: bearer(admin) })
  t.equal(asAdmin.statusCode, 200)
  t.match(asAdmin.body, /live_sockets_open 2/)
  await a.client.close()
  await b.client.close()
})

t.test('/admin/live: admins see the figures, refreshed by polling a fragment', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const a = await connectReady(url, { token: alice.token })

  const browser = await new Browser(s.app).login(admin.username, admin.password)
  const page = await browser.get('/admin/live')
  t.equal(page.statusCode, 200)
  t.match(page.body, /<title>Live figures/)
  t.match(page.body, /hx-get="\/admin\/live\/figures" hx-trigger="every 2s"/)
  t.match(page.body, /data-figure="sockets">1</)

  const fragment = await browser.get('/admin/live/figures', { 'hx-request': 'true' })
  t.equal(fragment.statusCode, 200)
  t.notMatch(fragment.body, /<html/, 'the fragment has no layout')
  t.match(fragment.body, /^\s*<div id="live-figures"/)
  t.match(fragment.body, /data-figure="users">1</)

  const user = await new Browser(s.app).login(alice.username, alice.password)
  t.equal((await user.get('/admin/live')).statusCode, 403)
  t.equal((await user.get('/admin/live/figures')).statusCode, 403)
  const anonymous = await new Browser(s.app).get('/admin/live')
  t.equal(anonymous.statusCode, 302)
  await a.client.close()
})

t.test('mergeExpositions: one HELP/TYPE per family, every sample labelled by worker', async (t) => {
  const { mergeExpositions } = await import('../../src/operations/index.js')
  const text = (n: number) => `# HELP a A.\n# TYPE a gauge\na ${n}\n# HELP b B.\n# TYPE b counter\nb{reason="x"} ${n}\n`
  t.equal(
    mergeExpositions([{ worker: '1', text: text(1) }, { worker: '2', text: text(2) }]),
    '# HELP a A.\n# TYPE a gauge\na{worker="1"} 1\na{worker="2"} 2\n# HELP b B.\n# TYPE b counter\nb{worker="1",reason="x"} 1\nb{worker="2",reason="x"} 2\n',
  )
})
