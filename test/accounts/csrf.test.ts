import t from 'tap'
import { notifications } from '../../src/db/schema.js'
import { Browser, bearer, buildTestApp, createUser } from '../helper.js'

t.test('cookie-authenticated changes need the CSRF token; bearer calls do not', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const { ids } = await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'one' })
  await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'two' })
  const rowCount = async () => (await s.app.db.select().from(notifications)).length
  const unread = async () => (await s.app.notifications.counts(alice.id)).unread_count

  const a = await new Browser(s.app).login(alice.username, alice.password)
  const adm = await new Browser(s.app).login(admin.username, admin.password)

  // Form posts without _csrf, and with a wrong one.
  for (const csrf of [undefined, 'forged-token']) {
    const opts = csrf ? { headers: {} } : { csrf: false }
    const form: Record<string, string> = csrf ? { _csrf: csrf } : {}
    let res = await a.post(`/notifications/${ids[0]}/read`, form, opts)
    t.equal(res.statusCode, 403, `form mark-read ${csrf ? 'with a forged token' : 'without a token'}: 403`)
    t.match(res.body, /CSRF token/, 'the error page says why')
    res = await a.post('/notifications/read-all', form, opts)
    t.equal(res.statusCode, 403)
    res = await adm.post('/admin/notifications', { ...form, target: 'all', title: 'x' }, opts)
    t.equal(res.statusCode, 403, 'admin form without a token: 403')
    res = await a.post('/logout', form, opts)
    t.equal(res.statusCode, 403, 'logout without a token: 403')
  }
  t.equal(await unread(), 2, 'nothing was marked read')
  t.equal(await rowCount(), 2, 'nothing was sent')
  t.equal((await a.get('/api/me')).statusCode, 200, 'still logged in')

  // JSON API with the cookie but without X-CSRF-Token.
  let res = await a.json('POST', `/api/notifications/${ids[0]}/read`, undefined, { csrf: false })
  t.equal(res.statusCode, 403)
  t.same(res.json(), { error: 'csrf', message: 'Missing or invalid CSRF token; reload the page and try again' })
  res = await a.json('POST', '/api/notifications/read-all', undefined, { csrf: false })
  t.equal(res.statusCode, 403)
  res = await adm.json('POST', '/api/notifications', { all: true, title: 'x', message: '' }, { csrf: false })
  t.equal(res.statusCode, 403, 'admin API with cookie and no token: 403')
  res = await a.json('POST', '/api/auth/logout', undefined, { csrf: false })
  t.equal(res.statusCode, 403)
  t.equal(await unread(), 2, 'still nothing marked read')
  t.equal(await rowCount(), 2, 'still nothing sent')

  // Login itself needs the token (login CSRF).
  const fresh = new Browser(s.app)
  res = await fresh.post('/login', { username: alice.username, password: alice.password }, { csrf: false })
  t.equal(res.statusCode, 403, 'login form without a token: 403')
  t.notOk(fresh.authCookie)

  // With the token everything works.
  res = await a.json('POST', `/api/notifications/${ids[0]}/read`)
  t.equal(res.statusCode, 200, 'cookie + X-CSRF-Token: 200')
  t.equal(await unread(), 1)

  // Bearer calls need no token.
  res = await s.app.inject({ method: 'POST', url: '/api/notifications/read-all', headers: bearer(alice) })
  t.equal(res.statusCode, 200, 'bearer: no CSRF token needed')
  t.equal(await unread(), 0)
  res = await s.app.inject({ method: 'POST', url: '/api/notifications', headers: bearer(admin), payload: { user_ids: [alice.id], title: 't', message: '' } })
  t.equal(res.statusCode, 201, 'bearer admin call: no CSRF token needed')
  // A bad bearer token does not fall back to the cookie.
  res = await s.app.inject({
    method: 'POST',
    url: '/api/notifications/read-all',
    headers: { authorization: 'Bearer nope', cookie: a.cookieHeader },
  })
  t.equal(res.statusCode, 403, 'invalid bearer + cookie is treated as a browser call (CSRF applies)')
})
