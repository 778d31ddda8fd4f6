/** Security headers on pages and API answers, and which answers get compressed. */
import { gzipSync } from 'node:zlib'
import t from 'tap'
import { bearer, buildTestApp, createUser } from '../helper.js'

t.test('pages get the full set of security headers, API answers the few that apply to JSON', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const admin = await createUser(s.app, { admin: true })

  for (const url of ['/login', '/no-such-page']) {
    const page = await s.app.inject({ method: 'GET', url })
    t.match(page.headers, {
      'content-security-policy': /default-src 'self'.*frame-ancestors 'none'.*script-src 'self'/,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'same-origin',
      'cross-origin-opener-policy': 'same-origin',
    }, `${url}: page headers`)
    t.notOk(page.headers['strict-transport-security'], 'no HSTS without TLS cookies')
  }

  const me = await s.app.inject({ method: 'GET', url: '/api/me', headers: bearer(admin) })
  t.equal(me.statusCode, 200)
  t.equal(me.headers['x-content-type-options'], 'nosniff')
  t.equal(me.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'")
  t.notOk(me.headers['x-frame-options'], 'no page-only headers on JSON')
  const missing = await s.app.inject({ method: 'GET', url: '/api/nothing-here', headers: bearer(admin) })
  t.equal(missing.statusCode, 404)
  t.equal(missing.headers['x-content-type-options'], 'nosniff', 'API 404s too')
})

t.test('behind TLS both kinds of answer carry HSTS', async (t) => {
  const s = await buildTestApp({ cookieSecure: true })
  t.teardown(() => s.close())
  const admin = await createUser(s.app, { admin: true })
  const page = await s.app.inject({ method: 'GET', url: '/login' })
  t.match(page.headers['strict-transport-security'], /max-age=\d+/)
  t.match(page.headers['content-security-policy'], /upgrade-insecure-requests/)
  const me = await s.app.inject({ method: 'GET', url: '/api/me', headers: bearer(admin) })
  t.equal(me.headers['strict-transport-security'], page.headers['strict-transport-security'])
})

t.test('pages are still compressed, API bodies still decompressed', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const admin = await createUser(s.app, { admin: true })
  const page = await s.app.inject({ method: 'GET', url: '/login', headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(page.headers['content-encoding'], 'br', 'a page over 1 KB is compressed')
  const body = gzipSync(JSON.stringify({ user_ids: [admin.id], kind: 'system', title: 'zipped', message: 'm' }))
  const posted = await s.app.inject({
    method: 'POST',
    url: '/api/notifications',
    headers: { ...bearer(admin), 'content-type': 'application/json', 'content-encoding': 'gzip' },
    payload: body,
  })
  t.equal(posted.statusCode, 201, 'a gzip-encoded JSON body is read')
})
