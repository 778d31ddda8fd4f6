import t from 'tap'
import { eq } from 'drizzle-orm'
import { users } from '../../src/db/schema.js'
import { Browser, bearer, buildTestApp, createUser } from '../helper.js'

t.test('register: validation messages next to the fields (422), duplicate username, success', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const b = new Browser(s.app)
  t.equal((await b.get('/register')).statusCode, 200)

  let res = await b.post('/register', { username: 'x!', password: 'short' })
  t.equal(res.statusCode, 422, 'invalid fields: 422')
  t.match(res.body, /<p class="field-error" id="username-error">Use 3 to 32 letters/, 'username message next to its field')
  t.match(res.body, /<p class="field-error" id="password-error">Use at least 8 characters.<\/p>/, 'password message next to its field')
  t.match(res.body, /value="x!"/, 'the typed username is kept')
  t.equal((await s.app.db.select().from(users)).length, 0, 'nobody was created')

  res = await b.post('/register', { username: 'Alice', password: 'password-123', first_name: 'Alice', last_name: 'Smith' })
  t.equal(res.statusCode, 303, 'plain form: redirect')
  t.equal(res.headers.location, '/')
  t.ok(b.authCookie, 'logged in with a cookie')
  const cookie = res.cookies.find((c: any) => c.name === 'token') as any
  t.equal(cookie.httpOnly, true, 'httpOnly cookie')
  t.equal(cookie.sameSite, 'Lax', 'SameSite=Lax')
  const me = await b.get('/api/me')
  t.match(me.json(), { user: { username: 'alice', first_name: 'Alice', last_name: 'Smith' }, is_admin: false }, 'usernames are stored lower-case')

  const other = new Browser(s.app)
  await other.get('/register')
  res = await other.post('/register', { username: 'ALICE', password: 'password-456' }, { headers: { 'hx-request': 'true' } })
  t.equal(res.statusCode, 422, 'duplicate (any case): 422, swapped by htmx')
  t.match(res.body, /id="username-error">That username is taken.</)
  t.equal((await s.app.db.select().from(users)).length, 1, 'still one user')

  res = await other.post('/register', { username: 'bob_1', password: 'password-456' }, { headers: { 'hx-request': 'true' } })
  t.equal(res.statusCode, 204, 'htmx register: 204')
  t.equal(res.headers['hx-redirect'], '/', 'htmx register: HX-Redirect')
  t.ok(other.authCookie)
})

t.test('passwords are stored as scrypt hashes with their own salt', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const a = await createUser(s.app, { username: 'hash_a', password: 'same-password' })
  const b = await createUser(s.app, { username: 'hash_b', password: 'same-password' })
  const rows = await Promise.all([a, b].map(async (u) => (await s.app.db.select().from(users).where(eq(users.id, u.id)).limit(1))[0]!))
  for (const row of rows) {
    t.match(row.passwordHash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{88}$/, 'scrypt$N$r$p$salt$key')
    t.notMatch(row.passwordHash, /same-password/)
  }
  t.not(rows[0]!.passwordHash, rows[1]!.passwordHash, 'same password, different hashes (salted)')
  t.ok(await s.app.accounts.authenticate('HASH_A', 'same-password'), 'right password (username any case)')
  const refused = { name: 'DomainError', kind: 'unauthorized', code: 'invalid_credentials' }
  await t.rejects(s.app.accounts.authenticate('hash_a', 'same-passwore'), refused, 'wrong password')
  await t.rejects(s.app.accounts.authenticate('nobody', 'same-password'), refused, 'unknown user')
})

t.test('login and logout pages (plain and htmx)', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app, { username: 'alice' })
  const b = new Browser(s.app)
  const page = await b.get('/login?next=/notifications')
  t.equal(page.statusCode, 200)
  t.match(page.body, /name="next" value="\/notifications"/)

  let res = await b.post('/login', { username: 'alice', password: 'wrong-password', next: '/notifications' })
  t.equal(res.statusCode, 422, 'wrong password: 422')
  t.match(res.body, /class="form-error" role="alert">Wrong username or password.</)
  t.match(res.body, /name="username"[^>]*value="alice"/, 'username kept')
  t.notOk(b.authCookie, 'no cookie')

  res = await b.post('/login', { username: 'alice', password: alice.password, next: '//evil.example/' })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/', 'next= only accepts same-site paths')
  t.ok(b.authCookie)
  t.equal((await b.get('/login')).statusCode, 302, 'logged in: /login redirects')
  const home = await b.get('/')
  t.match(home.headers, {
    'content-security-policy': /default-src 'self'.*script-src 'self'/,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
  }, 'security headers')
  t.match(home.headers['content-security-policy'], /frame-ancestors 'none'/)
  t.match(home.body, /@alice/, 'navbar shows the user')
  t.match(home.body, /id="notif-badge"[^>]*data-count="0"/, 'navbar badge rendered on the server')
  t.match(home.body, /hx-ws:connect="\/ws\/notifications"/, 'the page joins the socket')

  const oldCookie = b.authCookie!
  res = await b.post('/logout', {})
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/login')
  t.notOk(b.authCookie, 'cookie cleared')
  const replay = await s.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: `token=${oldCookie}` } })
  t.equal(replay.statusCode, 401, 'the old cookie is revoked server-side')

  // htmx flavour
  const h = new Browser(s.app)
  await h.get('/login')
  res = await h.post('/login', { username: 'alice', password: alice.password, next: '/notifications' }, { headers: { 'hx-request': 'true' } })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['hx-redirect'], '/notifications')
  await h.get('/')
  res = await h.post('/logout', {}, { headers: { 'hx-request': 'true' } })
  t.equal(res.statusCode, 204)
  t.equal(res.headers['hx-redirect'], '/login')
})

t.test('POST /api/auth/token', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app, { username: 'alice' })
  const before = Date.now()
  let res = await s.app.inject({ method: 'POST', url: '/api/auth/token', payload: { username: 'alice', password: alice.password } })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.same(Object.keys(body).sort(), ['expires_at', 'token', 'user'])
  t.same(body.user, { id: alice.id, username: 'alice', first_name: '', last_name: '' }, 'public user only')
  const expires = Date.parse(body.expires_at)
  t.ok(expires > before + 11 * 3600_000 && expires <= Date.now() + 12 * 3600_000, 'expires_at is an ISO time, TTL ahead')
  const me = await s.app.inject({ method: 'GET', url: '/api/me', headers: bearer(body) })
  t.equal(me.json().user.id, alice.id, 'the token authenticates')

  for (const payload of [
    { username: 'alice', password: 'wrong-password' },
    { username: 'nobody', password: alice.password },
  ]) {
    res = await s.app.inject({ method: 'POST', url: '/api/auth/token', payload })
    t.equal(res.statusCode, 401)
    t.same(res.json(), { error: 'invalid_credentials', message: 'Wrong username or password' })
  }
  res = await s.app.inject({ method: 'POST', url: '/api/auth/token', payload: { username: 'alice' } })
  t.equal(res.statusCode, 400, 'missing password: 400')
  t.match(res.json(), { error: 'invalid', message: String })

  // API logout revokes that token only.
  const second = (await s.app.inject({ method: 'POST', url: '/api/auth/token', payload: { username: 'alice', password: alice.password } })).json()
  t.equal((await s.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(body) })).statusCode, 200)
  t.equal((await s.app.inject({ method: 'GET', url: '/api/me', headers: bearer(body) })).statusCode, 401, 'revoked')
  t.equal((await s.app.inject({ method: 'GET', url: '/api/me', headers: bearer(second) })).statusCode, 200, 'the other login still works')
})

t.test('login and token endpoints are rate limited', async (t) => {
  const s = await buildTestApp({ authRateLimitPerMinute: 3 })
  t.teardown(() => s.close())
  await createUser(s.app, { username: 'alice' })
  const codes: number[] = []
  for (let i = 0; i < 4; i++) {
    const res = await s.app.inject({ method: 'POST', url: '/api/auth/token', payload: { username: 'alice', password: 'wrong-password' } })
    codes.push(res.statusCode)
    if (res.statusCode === 429) {
      t.match(res.json(), { error: 'rate_limited', message: String }, '429 as a JSON error')
      t.ok(res.headers['retry-after'], 'Retry-After header')
    }
  }
  t.same(codes, [401, 401, 401, 429])

  const b = new Browser(s.app)
  await b.get('/login')
  const form: number[] = []
  for (let i = 0; i < 4; i++) form.push((await b.post('/login', { username: 'alice', password: 'wrong-password' })).statusCode)
  t.same(form, [422, 422, 422, 429], 'the login form has its own limit')
})
