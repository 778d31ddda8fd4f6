import { sql, type SQL } from 'drizzle-orm'
import type Database from 'better-sqlite3'
import { dialectOf } from '../../src/db/dialect.js'
import t from 'tap'
import { unreadMessagesQuery } from '../../src/domains/social/service/messages.js'
import { Browser, connectReady, createUser, type TestApp, sqlValue } from '../helper.js'
import { api, holdableBus, marks, openSockets, sendHttp, socialSite, type ReadySocket } from './fixtures/social.js'

const count = (s: TestApp, query: SQL) => sqlValue<number>(s.app, query)

t.test('a message reaches every socket of both participants once, and no one else', async (t) => {
  const { s, url, alice, bob, carol } = await socialSite(t, { friends: true })
  const [a1, a2, b, c] = await openSockets(t, url, alice, alice, bob, carol)
  const [cMark] = marks(c)

  const res = await sendHttp(s.app, alice, { recipient_id: bob.id }, 'hello <b>bob</b>', 'c-1')
  t.equal(res.status, 201)
  const m = res.body.message
  t.match(m, { conversation_id: Number, client_id: 'c-1', content: 'hello <b>bob</b>', sender: { id: alice.id } })
  for (const x of [a1, a2, b]) {
    const f = await x.client.next('new_message')
    t.same(f.data, m)
    t.match(f.content, new RegExp(`hx-swap-oob="beforeend:#conversation-${m.conversation_id}-messages"`))
    t.match(f.content, /hello &lt;b&gt;bob&lt;\/b&gt;/, 'the fragment escapes the text')
    t.notMatch(f.content, /<b>bob/)
  }
  t.match((await a1.client.ofType('new_message'))[0]!.content, /class="message mine"/, 'the sender sees it as theirs')
  const cu = await b.client.next('count_update')
  t.equal(cu.unread_messages_count, 1, 'the recipient has one unread message')
  t.match(cu.content, /id="msg-badge"[^>]*data-count="1"/)
  t.same(await c.client.since(cMark, 150), [], 'carol (not a participant) got nothing')
  for (const x of [a1, a2, b]) t.equal(x.client.ofType('new_message').length, 1, 'exactly one new_message per socket')

  // The snapshot on connect carries the message count too.
  const b2 = await connectReady(url, { token: bob.token })
  t.equal(b2.initial.unread_messages_count, 1)
  const list = await api(s.app, bob, 'GET', '/api/conversations')
  t.equal(list.body.conversations.length, 1)
  t.match(list.body.conversations[0], { id: m.conversation_id, other: { id: alice.id, online: true }, unread_count: 1, last_message: { id: m.id } })
  await b2.client.close()
})

t.test('the same client_id is stored once: retried over HTTP, over the socket, and both at once', async (t) => {
  const { s, url, alice, bob, carol } = await socialSite(t, { friends: true })
  const [a1, a2, b, c] = await openSockets(t, url, alice, alice, bob, carol)
  const [cMark] = marks(c)

  const first = await sendHttp(s.app, alice, { recipient_id: bob.id }, 'once', 'retry-1')
  t.equal(first.status, 201)
  const cid = first.body.message.conversation_id
  for (const x of [a1, a2, b]) await x.client.next('new_message')

  const second = await sendHttp(s.app, alice, { conversation_id: cid }, 'once', 'retry-1')
  t.equal(second.status, 200, 'a repeat answers 200')
  t.same(second.body.message, first.body.message, 'with the first message')

  // The same id over a socket that got the push: nothing is stored, nobody gets a second copy.
  const [a1Mark, a2Mark, bMark] = marks(a1, a2, b)
  a1.client.send({ type: 'send_message', conversation_id: cid, client_id: 'retry-1', content: 'once' })
  t.same(await a1.client.since(a1Mark, 200), [], 'the socket that repeated it had it already: no echo')
  t.same(await b.client.since(bMark, 0, 'new_message'), [], 'the recipient does not get it twice')
  t.same(await a2.client.since(a2Mark, 0, 'new_message'), [], "the sender's other tab does not get it twice")
  t.equal(await count(s, sql`SELECT count(*) FROM messages WHERE client_id = 'retry-1'`), 1)

  // Socket and HTTP at the same moment with a fresh client_id.
  a1.client.send({ type: 'send_message', conversation_id: cid, client_id: 'race-1', content: 'race' })
  const [http] = await Promise.all([sendHttp(s.app, alice, { conversation_id: cid }, 'race', 'race-1')])
  t.ok([200, 201].includes(http.status), `HTTP answered ${http.status}`)
  const pushed = await b.client.next('new_message')
  t.equal(pushed.data.client_id, 'race-1')
  t.equal(pushed.data.id, http.body.message.id, 'both paths name the same message')
  await b.client.settle(200)
  for (const [name, x] of [['the recipient', b], ['the sending socket', a1], ["the sender's other tab", a2]] as const) {
    t.equal(x.client.ofType('new_message').filter((f) => f.data.client_id === 'race-1').length, 1, `${name} got it once`)
  }
  t.equal(await count(s, sql`SELECT count(*) FROM messages WHERE client_id = 'race-1'`), 1, 'stored once')

  // Many concurrent HTTP retries of one id.
  const burst = await Promise.all(Array.from({ length: 8 }, () => sendHttp(s.app, alice, { conversation_id: cid }, 'burst', 'burst-1')))
  t.same(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 200, 200, 201])
  t.equal(new Set(burst.map((r) => r.body.message.id)).size, 1)
  t.equal(await count(s, sql`SELECT count(*) FROM messages WHERE client_id = 'burst-1'`), 1)

  // client_ids are per sender: bob may use the same string.
  const bobs = await sendHttp(s.app, bob, { conversation_id: cid }, 'mine', 'retry-1')
  t.equal(bobs.status, 201)
  t.not(bobs.body.message.id, first.body.message.id)
  t.same(await c.client.since(cMark, 100), [], 'carol got nothing at all')
})

t.test('a send racing with its HTTP retry reaches each socket once (the push held on its way)', async (t) => {
  const site = holdableBus()
  const { s, url, alice, bob, carol } = await socialSite(t, { friends: true, bus: site.bus })
  const cid = (await sendHttp(s.app, alice, { recipient_id: bob.id }, 'hello', 'hold-0')).body.message.conversation_id
  const [a1, a2, b, c] = await openSockets(t, url, alice, alice, bob, carol)
  const [a1Mark, cMark] = marks(a1, c)
  const ofRace = (x: ReadySocket) => x.client.ofType('new_message').filter((f) => f.data.client_id === 'hold-1').length

  // The HTTP retry stores it first; its push is still on its way when the socket's send arrives.
  site.hold()
  const http = await sendHttp(s.app, alice, { conversation_id: cid }, 'raced', 'hold-1')
  t.equal(http.status, 201)
  a1.client.send({ type: 'send_message', conversation_id: cid, client_id: 'hold-1', content: 'raced' })
  t.same(await a1.client.since(a1Mark, 200, 'new_message'), [], 'the sending socket gets no echo while the push is on its way')
  site.release()
  const pushed = await a1.client.next((f) => f.type === 'new_message' && f.data.client_id === 'hold-1')
  t.equal(pushed.data.id, http.body.message.id)
  await b.client.next((f) => f.type === 'new_message' && f.data.client_id === 'hold-1')
  await a1.client.settle(300)
  t.equal(ofRace(a1), 1, 'the socket that sent it got it once')
  t.equal(ofRace(a2), 1, "the sender's other tab got it once")
  t.equal(ofRace(b), 1, 'the recipient got it once')
  t.same(await c.client.since(cMark, 0), [], 'carol got nothing')

  // A socket opened after the push repeats the send (a retry after a reconnect): it is answered, once.
  const [a3] = await openSockets(t, url, alice)
  const [a1After, bAfter] = marks(a1, b)
  a3.client.send({ type: 'send_message', conversation_id: cid, client_id: 'hold-1', content: 'raced' })
  a3.client.send({ type: 'send_message', conversation_id: cid, client_id: 'hold-1', content: 'raced' })
  const echoed = await a3.client.next('new_message', 4000)
  t.equal(echoed.data.id, http.body.message.id, 'the new socket gets the stored message')
  await a3.client.settle(300)
  t.equal(ofRace(a3), 1, 'once, however often it repeats')
  t.same(await a1.client.since(a1After, 0, 'new_message'), [], 'the other sockets get nothing more')
  t.same(await b.client.since(bAfter, 0, 'new_message'), [], 'the recipient gets nothing more')
})

t.test('only participants read or post; only friends message', async (t) => {
  const { s, url, alice, bob, carol } = await socialSite(t, { friends: true })
  const dave = await createUser(s.app)
  const first = await sendHttp(s.app, alice, { recipient_id: bob.id }, 'private', 'p-1')
  const cid = first.body.message.conversation_id
  const [c] = await openSockets(t, url, carol)

  const post = await sendHttp(s.app, carol, { conversation_id: cid }, 'let me in', 'x-1')
  t.equal(post.status, 403)
  t.equal(post.body.error, 'forbidden')
  t.equal((await api(s.app, carol, 'GET', `/api/conversations/${cid}/messages`)).status, 403)
  t.equal((await api(s.app, carol, 'POST', `/api/conversations/${cid}/read`)).status, 403)
  t.equal((await api(s.app, carol, 'GET', `/api/conversations/999/messages`)).status, 404)

  c.client.send({ type: 'send_message', conversation_id: cid, client_id: 'x-2', content: 'hi' })
  t.equal((await c.client.next('error')).code, 'forbidden')
  c.client.send({ type: 'typing', conversation_id: cid, is_typing: true })
  t.equal((await c.client.next('error')).code, 'forbidden')
  c.client.send({ type: 'send_message', conversation_id: cid, client_id: 'x-3', content: '' })
  t.equal((await c.client.next('error')).code, 'invalid', 'schema: empty content')

  const bc = new Browser(s.app)
  await bc.login(carol.username, carol.password)
  t.equal((await bc.get(`/messages/${cid}`)).statusCode, 403, 'the page is refused too')

  const stranger = await sendHttp(s.app, dave, { recipient_id: alice.id }, 'hi', 'd-1')
  t.equal(stranger.status, 403, 'strangers cannot message')
  t.equal((await sendHttp(s.app, alice, { recipient_id: alice.id }, 'me', 'self-1')).status, 400)
  t.equal((await sendHttp(s.app, alice, { recipient_id: bob.id }, '   ', 'blank-1')).status, 400, 'blank messages are refused')
  t.equal((await api(s.app, alice, 'POST', '/api/messages', { content: 'x', client_id: 'n-1' })).status, 400, 'a recipient is required')

  // After unfriending, the history stays readable but nobody can write.
  await api(s.app, bob, 'DELETE', `/api/friends/${alice.id}`)
  t.equal((await sendHttp(s.app, alice, { conversation_id: cid }, 'still?', 'u-1')).status, 403)
  t.equal((await api(s.app, alice, 'GET', `/api/conversations/${cid}/messages`)).status, 200)
  t.equal(await count(s, sql`SELECT count(*) FROM messages`), 1, 'nothing was written by the refused sends')
})

t.test('reading: count_update on all the reader tabs, "Seen" for the sender', async (t) => {
  const { s, url, alice, bob, carol } = await socialSite(t, { friends: true })
  const m1 = (await sendHttp(s.app, alice, { recipient_id: bob.id }, 'one', 'r-1')).body.message
  await sendHttp(s.app, alice, { conversation_id: m1.conversation_id }, 'two', 'r-2')
  const cid = m1.conversation_id
  t.equal((await s.app.notifications.counts(bob.id)).unread_messages_count, 2)
  t.equal((await s.app.notifications.counts(alice.id)).unread_messages_count, 0, 'your own messages are not unread')

  const [a, b1, b2, c] = await openSockets(t, url, alice, bob, bob, carol)
  t.equal(b1.initial.unread_messages_count, 2)
  const [aMark, cMark] = marks(a, c)

  // Bob opens the conversation page: it renders read.
  const bb = new Browser(s.app)
  await bb.login(bob.username, bob.password)
  const page = await bb.get(`/messages/${cid}`)
  t.equal(page.statusCode, 200)
  t.match(page.body, /id="msg-badge" class="badge empty" data-count="0"/, 'the page renders the lowered count')
  t.match(page.body, new RegExp(`id="conversation-${cid}-messages"`))
  t.match(page.body, /name="client_id" value="[0-9a-f-]{36}"/)
  for (const x of [b1, b2]) t.equal((await x.client.next('count_update')).unread_messages_count, 0, 'every tab of the reader goes down')

  const read = await a.client.next((f) => f.type === 'topic_event' && f.event === 'messages_read')
  t.match(read.data, { conversation_id: cid, user_id: bob.id })
  t.match(read.content, new RegExp(`<p id="seen-${cid}" class="seen" hx-swap-oob="true">Seen</p>`), 'the sender sees "Seen"')
  t.same(await c.client.since(cMark, 150), [], 'carol got nothing')
  t.same(await a.client.since(aMark, 0, 'count_update'), [], "the sender's counts did not change")

  // Alice's page shows Seen; a new message hides it again until read.
  const ba = new Browser(s.app)
  await ba.login(alice.username, alice.password)
  t.match((await ba.get(`/messages/${cid}`)).body, new RegExp(`<p id="seen-${cid}" class="seen">Seen</p>`))
  await sendHttp(s.app, alice, { conversation_id: cid }, 'three', 'r-3')
  const nm = await a.client.next('new_message')
  t.match(nm.content, new RegExp(`<p id="seen-${cid}" class="seen" hidden hx-swap-oob="true">`))
  t.equal((await api(s.app, bob, 'POST', `/api/conversations/${cid}/read`)).body.unread_messages_count, 0)
  t.equal((await api(s.app, bob, 'POST', `/api/conversations/${cid}/read`)).status, 200, 'reading again is harmless')
})

t.test('earlier messages load page by page; the list shows last message and unread counts', async (t) => {
  const { s, alice, bob } = await socialSite(t, { friends: true })
  let cid = 0
  for (let i = 1; i <= 35; i++) {
    const r = await sendHttp(s.app, i % 2 ? alice : bob, cid ? { conversation_id: cid } : { recipient_id: bob.id }, `message ${i}`, `m-${i}`)
    cid = r.body.message.conversation_id
  }
  const page1 = await api(s.app, bob, 'GET', `/api/conversations/${cid}/messages`)
  t.equal(page1.body.messages.length, 30)
  t.equal(page1.body.has_more, true)
  t.equal(page1.body.messages[29].content, 'message 35', 'oldest first, ending with the newest')
  const page2 = await api(s.app, bob, 'GET', `/api/conversations/${cid}/messages?before=${page1.body.messages[0].id}`)
  t.same(page2.body.messages.map((m: { content: string }) => m.content), [1, 2, 3, 4, 5].map((i) => `message ${i}`))
  t.equal(page2.body.has_more, false)

  const bb = new Browser(s.app)
  await bb.login(bob.username, bob.password)
  const html = (await bb.get(`/messages/${cid}`)).body
  t.match(html, new RegExp(`hx-get="/messages/${cid}/earlier\\?before=${page1.body.messages[0].id}"`), 'a Load earlier button')
  const earlier = await bb.get(`/messages/${cid}/earlier?before=${page1.body.messages[0].id}`, { 'hx-request': 'true' })
  t.equal((earlier.body.match(/<li id="message-/g) ?? []).length, 5)
  t.notMatch(earlier.body, /load-earlier/, 'no button once the start is reached')

  const list = await bb.get('/messages')
  t.match(list.body, new RegExp(`id="conversation-row-${cid}"`))
  t.match(list.body, /message 35/)
  // Sending reads what came before: alice's last message was the newest, so she has nothing unread;
  // two more from bob are two unread.
  t.equal((await s.app.notifications.counts(alice.id)).unread_messages_count, 0)
  await sendHttp(s.app, bob, { conversation_id: cid }, 'extra 1', 'e-1')
  await sendHttp(s.app, bob, { conversation_id: cid }, 'extra 2', 'e-2')
  const ba = new Browser(s.app)
  await ba.login(alice.username, alice.password)
  t.match((await ba.get('/messages')).body, /<span class="badge" data-count="2">2<\/span>/)
  t.equal((await s.app.notifications.counts(alice.id)).unread_messages_count, 2)

  // The no-script form posts and redirects; the htmx/JS fallback gets the message partial.
  await ba.get(`/messages/${cid}`)
  const posted = await ba.post(`/messages/${cid}`, { content: 'from the form', client_id: 'form-1' })
  t.equal(posted.statusCode, 303)
  const fragment = await ba.post(`/messages/${cid}`, { content: 'from the form', client_id: 'form-1' }, { headers: { 'hx-request': 'true' } })
  t.equal(fragment.statusCode, 200, 'same client_id again: the first message')
  t.match(fragment.body, /<li id="message-\d+" class="message mine"/)
})

t.test('catching up after a reconnect, and the unread count walks indexes only', async (t) => {
  const { s, alice, bob } = await socialSite(t, { friends: true })
  const m1 = (await sendHttp(s.app, alice, { recipient_id: bob.id }, 'first', 'n-1')).body.message
  const cid = m1.conversation_id
  await sendHttp(s.app, alice, { conversation_id: cid }, 'second', 'n-2')
  await sendHttp(s.app, bob, { conversation_id: cid }, 'third', 'n-3')

  const bb = new Browser(s.app)
  await bb.login(bob.username, bob.password)
  const newer = await bb.get(`/messages/${cid}/newer?after=${m1.id}`, { 'hx-request': 'true' })
  t.equal(newer.statusCode, 200)
  t.same([...newer.body.matchAll(/<div class="bubble">([^<]*)<\/div>/g)].map((m) => m[1]), ['second', 'third'])
  t.match(newer.body, /class="message mine"[^>]*>\s*<div class="bubble">third/, "bob's own message is marked as his")
  const api2 = await api(s.app, bob, 'GET', `/api/conversations/${cid}/messages?after=${m1.id}`)
  t.same(api2.body.messages.map((m: { content: string }) => m.content), ['second', 'third'])

  t.equal(await s.app.social.unreadMessagesCount(alice.id), 1, "bob's reply is unread for alice")
  // SQLite's plan (on PostgreSQL the planner's choice depends on table statistics).
  if (dialectOf(s.app.db) === 'sqlite') {
    const query = unreadMessagesQuery(s.app.db).toSQL()
    const plan = (s.app.db.$client as Database.Database).prepare(`EXPLAIN QUERY PLAN ${query.sql}`).all(...query.params.map(() => bob.id)) as Array<{ detail: string }>
    const details = plan.map((p) => p.detail).join(' | ')
    t.notMatch(details, /SCAN "?messages"?\b(?! USING)/, `no scan of messages: ${details}`)
    t.match(details, /messages_conversation_idx/, 'messages are reached through (conversation_id, id)')
  }
})
