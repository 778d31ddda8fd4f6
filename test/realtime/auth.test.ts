/** /ws/notifications authentication: cookie + Origin, ?token=, Authorization header; 4401/4403. */
import t from 'tap'
import { CloseCode } from '../../src/protocol.js'
import { Browser, buildTestApp, connect, connectReady } from '../helper.js'
import { liveSite } from './fixtures/live.js'

t.test('cookie auth needs our own Origin (or a configured one)', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'], { allowedOrigins: ['https://app.example'] })
  const b = await new Browser(s.app).login(alice.username, alice.password)
  const cookie = `token=${b.authCookie}`

  const same = await connectReady(url, { headers: { cookie, origin: url } })
  t.equal(same.initial.type, 'initial', 'same origin: accepted')
  t.equal(same.client.frames[0]!.type, 'initial', 'initial is the first frame')
  const listed = await connectReady(url, { headers: { cookie, origin: 'https://app.example' } })
  t.equal(listed.initial.type, 'initial', 'configured origin: accepted')

  const foreign = await connect(url, { headers: { cookie, origin: 'https://evil.example' } })
  t.equal(await foreign.closed, CloseCode.forbiddenOrigin, 'foreign origin: 4403')
  t.same(foreign.frames, [], 'no frame before the close')
  const noOrigin = await connect(url, { headers: { cookie } })
  t.equal(await noOrigin.closed, 4403, 'cookie without Origin: 4403')
  const lookalike = await connect(url, { headers: { cookie, origin: url.replace('127.0.0.1', '127.0.0.1.evil.example') } })
  t.equal(await lookalike.closed, 4403, 'look-alike host: 4403')
  for (const c of [same.client, listed.client]) await c.close()
})

t.test('?token= and Authorization: Bearer work; forged, expired and revoked tokens get 4401', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'])
  const q = await connectReady(url, { token: alice.token })
  t.equal(q.initial.type, 'initial', '?token= accepted')
  const h = await connectReady(url, { headers: { authorization: `Bearer ${alice.token}` } })
  t.equal(h.initial.type, 'initial', 'Authorization header accepted')

  const row = (await s.app.accounts.findById(alice.id))!
  const login = await s.app.accounts.login(row, 'api')
  const expired = s.app.jwt.sign({ sub: alice.id, sid: login.session.id, exp: Math.floor(Date.now() / 1000) - 10 })
  const [head, , sig] = alice.token.split('.')
  const tampered = `${head}.${Buffer.from(JSON.stringify({ sub: 1, sid: login.session.id, exp: 9999999999 })).toString('base64url')}.${sig}`
  const otherSecret = (await buildTestApp({ jwtSecret: 'another-secret-another-secret-another' })).app
  const foreignSigned = otherSecret.jwt.sign({ sub: alice.id, sid: login.session.id, exp: Math.floor(Date.now() / 1000) + 3600 })
  await otherSecret.close()
  const unknownSession = s.app.jwt.sign({ sub: alice.id, sid: 'no-such-session', exp: Math.floor(Date.now() / 1000) + 3600 })
  const wrongUser = s.app.jwt.sign({ sub: alice.id + 1, sid: login.session.id, exp: Math.floor(Date.now() / 1000) + 3600 })

  const cases: Array<[string, Parameters<typeof connect>[1]]> = [
    ['no credentials', {}],
    ['garbage', { token: 'forged.token.value' }],
    ['tampered payload', { token: tampered }],
    ['signed with another secret', { token: foreignSigned }],
    ['expired', { token: expired }],
    ['unknown session', { token: unknownSession }],
    ['session of another user', { token: wrongUser }],
    ['bad bearer header', { headers: { authorization: 'Bearer forged' } }],
    ['bad cookie', { headers: { cookie: 'token=forged', origin: url } }],
  ]
  for (const [name, opts] of cases) {
    const c = await connect(url, opts)
    t.equal(await c.closed, CloseCode.unauthorized, `${name}: 4401`)
    t.same(c.frames, [], `${name}: no frame`)
  }

  await s.app.accounts.logout(login.session.id)
  const revokedToken = s.app.jwt.sign({ sub: alice.id, sid: login.session.id, exp: Math.floor(Date.now() / 1000) + 3600 })
  const revoked = await connect(url, { token: revokedToken })
  t.equal(await revoked.closed, 4401, 'revoked session: 4401')
  for (const c of [q.client, h.client]) await c.close()
})

t.test('logout closes every socket of that session at once; another session stays open', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const b = await new Browser(s.app).login(alice.username, alice.password)
  const cookie = { cookie: `token=${b.authCookie}`, origin: url }
  const tab1 = await connectReady(url, { headers: cookie })
  const tab2 = await connectReady(url, { headers: cookie })
  const api = await connectReady(url, { token: alice.token })
  const other = await connectReady(url, { token: bob.token })

  const otherMark = other.client.mark()
  const started = Date.now()
  const res = await b.post('/logout', {})
  t.equal(res.statusCode, 303)
  t.same(await Promise.all([tab1.client.closed, tab2.client.closed]), [4401, 4401], 'both tabs of the session closed with 4401')
  t.ok(Date.now() - started < 1000, `closed at once (${Date.now() - started} ms)`)
  t.equal(tab1.client.closeReason, 'logged out')

  api.client.send({ type: 'ping', ts: 1 })
  t.same(await api.client.next('pong'), { type: 'pong', ts: 1 }, "the same user's other session stays open")
  t.equal(api.client.closeCode, null)
  t.same(await other.client.since(otherMark, 100), [], 'another user got nothing')
  t.equal(other.client.closeCode, null)
  t.equal(s.app.hub.users.get(alice.id)?.size, 1, 'the hub forgot the closed sockets')

  const again = await connect(url, { headers: cookie })
  t.equal(await again.closed, 4401, 'the logged-out cookie cannot reconnect')
  for (const c of [api.client, other.client]) await c.close()
})

t.test('a socket closes with 4401 when its token expires', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'], { tokenTtlSeconds: 2 })
  const { client } = await connectReady(url, { token: alice.token })
  const started = Date.now()
  t.equal(await client.closed, CloseCode.unauthorized, 'closed with 4401')
  t.equal(client.closeReason, 'token expired')
  const waited = Date.now() - started
  t.ok(waited < 4000, `at the token's expiry, not at some later heartbeat (${waited} ms)`)
  t.equal(s.app.hub.users.has(alice.id), false, 'the hub forgot it')
  const late = await connect(url, { token: alice.token })
  t.equal(await late.closed, 4401, 'the expired token cannot reconnect')
})
