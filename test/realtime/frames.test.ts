/** Client frames (get_count, mark_read, mark_all_read) and per-socket limits (4429, 1009). */
import t from 'tap'
import { CloseCode } from '../../src/protocol.js'
import { connect, connectReady } from '../helper.js'
import { liveSite } from './fixtures/live.js'

t.test('get_count answers this socket only', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  await s.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'system', title: 'x' })
  const a1 = await connectReady(url, { token: alice.token })
  const a2 = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const marks = [a2.client.mark(), b.client.mark()]
  a1.client.send({ type: 'get_count' })
  const f = await a1.client.next('count_update')
  t.same({ ...f, content: undefined }, { type: 'count_update', unread_count: 2, unread_messages_count: 0, content: undefined })
  t.match(f.content, /id="notif-badge"[^>]*data-count="2"/)
  t.same(await a2.client.since(marks[0]!, 100), [], "the user's other socket got nothing")
  t.same(await b.client.since(marks[1]!, 0), [], 'another user got nothing')
  for (const c of [a1, a2, b]) await c.client.close()
})

t.test("mark_read of another user's notification: forbidden, nothing changed, nobody told", async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const [aliceN] = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'a' })).ids
  const [bobN] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'b' })).ids
  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const bobMark = b.client.mark()

  a.client.send({ type: 'mark_read', id: bobN })
  t.match(await a.client.next('error'), { type: 'error', code: 'forbidden', message: String })
  a.client.send({ type: 'mark_read', id: 999999 })
  t.match(await a.client.next('error'), { code: 'forbidden' }, 'an id that does not exist: forbidden too')
  t.equal((await s.app.notifications.get(bob.id, bobN!))!.read, false, "bob's notification is still unread")
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 1, "alice's count did not change")
  t.same(a.client.ofType('count_update'), [], 'no count_update for alice')
  t.same(await b.client.since(bobMark, 150), [], 'bob was told nothing')

  // Her own: count_update 0, bob still nothing.
  const bobMark2 = b.client.mark()
  a.client.send({ type: 'mark_read', id: aliceN })
  t.equal((await a.client.next('count_update')).unread_count, 0)
  t.same(await b.client.since(bobMark2, 100), [], 'bob still nothing')
  t.equal(a.client.closeCode, null, 'the socket stayed open throughout')
  for (const c of [a, b]) await c.client.close()
})

t.test('mark_all_read: count_update on every tab of the user, nobody else', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  await s.app.notifications.notify({ userIds: [alice.id, alice.id, alice.id, bob.id] }, { kind: 'system', title: 'x' })
  const tabs = await Promise.all([1, 2, 3].map(() => connectReady(url, { token: alice.token })))
  const b = await connectReady(url, { token: bob.token })
  t.equal(tabs[0]!.initial.unread_count, 3)
  const bobMark = b.client.mark()
  tabs[1]!.client.send({ type: 'mark_all_read' })
  for (const tab of tabs) {
    const f = await tab.client.next('count_update')
    t.equal(f.unread_count, 0, 'count 0 on this tab')
    t.match(f.content, /id="notif-badge"[^>]*data-count="0"[^>]*hx-swap-oob="true"/, 'with the badge fragment')
  }
  t.same(await b.client.since(bobMark, 150), [], 'bob got nothing')
  t.equal((await s.app.notifications.counts(bob.id)).unread_count, 1, "bob's notification is untouched")
  for (const tab of tabs) t.equal(tab.client.ofType('count_update').length, 1, 'exactly one count_update per tab')

  // HTTP mark read-all reaches the sockets too.
  await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'y' })
  await Promise.all(tabs.map((tab) => tab.client.next('notification')))
  const bobMark2 = b.client.mark()
  const res = await s.app.inject({ method: 'POST', url: '/api/notifications/read-all', headers: { authorization: `Bearer ${alice.token}` } })
  t.same(res.json(), { unread_count: 0, unread_messages_count: 0 })
  for (const tab of tabs) t.equal((await tab.client.next('count_update')).unread_count, 0)
  t.same(await b.client.since(bobMark2, 100), [], 'bob still got nothing')
  for (const c of [...tabs, b]) await c.client.close()
})

t.test('per-user connection cap: the next socket gets 4429; other users are unaffected', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'], { ws: { maxConnectionsPerUser: 2 } as any })
  const a1 = await connectReady(url, { token: alice.token })
  const a2 = await connectReady(url, { token: alice.token })
  const a3 = await connect(url, { token: alice.token })
  t.equal(await a3.closed, CloseCode.tooMany, 'third socket: 4429')
  t.same(a3.frames, [], 'no initial for it')
  const b = await connectReady(url, { token: bob.token })
  t.equal(b.initial.type, 'initial', 'bob can still connect')
  await a1.client.close()
  await new Promise((r) => setTimeout(r, 50))
  const a4 = await connectReady(url, { token: alice.token })
  t.equal(a4.initial.type, 'initial', 'after one closed, a new one is accepted')
  t.equal(s.app.hub.users.get(alice.id)?.size, 2)
  for (const c of [a2.client, a4.client, b.client]) await c.close()
})

t.test('too many frames per second: 4429', async (t) => {
  const { url, alice, bob } = await liveSite(t, ['alice', 'bob'], { ws: { maxFramesPerSecond: 5 } as any })
  const b = await connectReady(url, { token: bob.token })
  const a = await connectReady(url, { token: alice.token })
  // Within the limit: fine.
  for (let i = 0; i < 5; i++) a.client.send({ type: 'ping', ts: i })
  for (let i = 0; i < 5; i++) t.equal((await a.client.next('pong')).ts, i)
  await new Promise((r) => setTimeout(r, 1100))
  for (let i = 0; i < 20; i++) a.client.send({ type: 'ping', ts: i })
  t.equal(await a.client.closed, CloseCode.tooMany, 'flooding: 4429')
  t.equal(a.client.closeReason, 'too many frames per second')
  t.ok(a.client.ofType('pong').length <= 10, 'at most the allowed frames were answered')
  t.equal(b.client.closeCode, null, 'another user is unaffected')
  b.client.send({ type: 'ping' })
  t.same(await b.client.next('pong'), { type: 'pong', ts: null })
  await b.client.close()
})

t.test('oversize frames close the socket with 1009 (configurable)', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'], { ws: { maxPayload: 1024 } as any })
  const a = await connectReady(url, { token: alice.token })
  a.client.send({ type: 'ping', ts: 'x'.repeat(64) })
  t.ok(await a.client.next('pong'), 'small frames are fine')
  a.client.send(JSON.stringify({ type: 'ping', ts: 'x'.repeat(2000) }))
  t.equal(await a.client.closed, CloseCode.tooBig, '1009')
  await new Promise((r) => setTimeout(r, 50))
  t.equal(s.app.hub.users.has(alice.id), false, 'the hub forgot it')
})

t.test('error frames keep the socket open: bad JSON, arrays, binary, unknown types, invalid fields', async (t) => {
  const { url, alice } = await liveSite(t, ['alice'])
  const a = await connectReady(url, { token: alice.token })
  const cases: Array<[unknown, string]> = [
    ['nope', 'bad_json'],
    ['[1,2]', 'bad_json'],
    ['null', 'bad_json'],
    [{ no: 'type' }, 'unknown_type'],
    [{ type: 'launch_missiles' }, 'unknown_type'],
    [{ type: 'mark_read' }, 'invalid'],
    [{ type: 'mark_read', id: -1 }, 'invalid'],
    [{ type: 'mark_read', id: 1.5 }, 'invalid'],
    [{ type: 'ping', ts: { nested: true } }, 'invalid'],
  ]
  for (const [frame, code] of cases) {
    a.client.send(frame)
    const err = await a.client.next('error')
    t.equal(err.code, code, `${JSON.stringify(frame)} -> ${code}`)
    t.type(err.message, 'string')
  }
  a.client.ws.send(Buffer.from('{"type":"ping"}'), { binary: true })
  t.equal((await a.client.next('error')).code, 'bad_json', 'binary frames -> bad_json')
  // htmx's hx-ws:send adds `headers`: extra properties are allowed.
  a.client.send({ type: 'get_count', headers: { 'HX-Request': 'true' } })
  t.ok(await a.client.next('count_update'))
  t.equal(a.client.closeCode, null, 'still open')
  await a.client.close()
})
