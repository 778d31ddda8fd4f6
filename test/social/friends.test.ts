import { sql } from 'drizzle-orm'
import t from 'tap'
import { Browser, buildTestApp, createUser, sqlValue } from '../helper.js'
import { api, befriend, marks, openSockets, socialSite } from './fixtures/social.js'

t.test('a friend request reaches the receiver only; accepting tells the sender', async (t) => {
  const { s, url, alice, bob, carol } = await socialSite(t)
  const [a, b, c] = await openSockets(t, url, alice, bob, carol)
  const [aMark, cMark] = marks(a, c)

  const sent = await api(s.app, alice, 'POST', `/api/friends/request/${bob.id}`)
  t.equal(sent.status, 201)
  t.type(sent.body.request_id, 'number')

  const fr = await b.client.next('friend_request')
  t.equal(fr.data.request_id, sent.body.request_id)
  t.same(fr.data.from_user, { id: alice.id, username: alice.username, first_name: '', last_name: '' })
  t.match(fr.data.created_at, /^\d{4}-\d\d-\d\dT/)
  t.match(fr.content, /id="friend-requests-badge"[^>]*data-count="1"/, 'the pushed badge shows one pending request')
  const note = await b.client.next('notification')
  t.equal(note.notification.kind, 'friend_request')
  t.equal(note.notification.actor.id, alice.id)

  // The sender's other tabs learn about it (their panel), nobody else hears anything.
  const changed = await a.client.next('topic_event')
  t.equal(changed.event, 'friends_changed')
  t.same(await c.client.since(cMark, 150), [], 'carol got nothing')
  t.same(await a.client.since(aMark, 0, 'friend_request'), [], 'the sender got no friend_request frame')

  const [cBeforeAccept] = marks(c)

  const accepted = await api(s.app, bob, 'POST', `/api/friends/accept/${sent.body.request_id}`)
  t.equal(accepted.status, 200)
  t.equal(accepted.body.friend.id, alice.id, 'the accepter gets the requester as friend')
  const fa = await a.client.next('friend_accepted')
  t.equal(fa.data.friend.id, bob.id)
  t.equal((await a.client.next('notification')).notification.kind, 'friend_accepted')
  // New friends learn each other's status at once.
  t.same(await a.client.next('presence'), { type: 'presence', user_id: bob.id, online: true, content: (await a.client.ofType('presence'))[0]!.content })
  t.equal((await b.client.next('presence')).user_id, alice.id)
  t.same(await c.client.since(cBeforeAccept, 150), [], 'carol still got nothing')

  // Accepting twice answers the same; someone else cannot accept it.
  t.equal((await api(s.app, bob, 'POST', `/api/friends/accept/${sent.body.request_id}`)).status, 200)
  t.equal((await api(s.app, carol, 'POST', `/api/friends/accept/${sent.body.request_id}`)).status, 404)

  const list = await api(s.app, alice, 'GET', '/api/friends')
  t.same(list.body.friends.map((f: { id: number; online: boolean }) => [f.id, f.online]), [[bob.id, true]])
})

t.test('no self, duplicate or unknown requests; a reverse request accepts the first', async (t) => {
  const { s, alice, bob } = await socialSite(t)

  const self = await api(s.app, alice, 'POST', `/api/friends/request/${alice.id}`)
  t.equal(self.status, 400)
  t.equal(self.body.error, 'invalid')
  t.equal((await api(s.app, alice, 'POST', '/api/friends/request/99999')).status, 404)

  const first = await api(s.app, alice, 'POST', `/api/friends/request/${bob.id}`)
  t.equal(first.status, 201)
  const again = await api(s.app, alice, 'POST', `/api/friends/request/${bob.id}`)
  t.equal(again.status, 409, 'no duplicate request')
  t.equal(again.body.error, 'conflict')

  const reverse = await api(s.app, bob, 'POST', `/api/friends/request/${alice.id}`)
  t.equal(reverse.status, 200, 'a request to someone who asked you accepts theirs')
  t.equal(reverse.body.request_id, first.body.request_id)
  t.equal(reverse.body.friend.id, alice.id)
  t.ok(await s.app.social.areFriends(alice.id, bob.id))
  t.ok(await s.app.social.areFriends(bob.id, alice.id))
  t.equal((await api(s.app, alice, 'POST', `/api/friends/request/${bob.id}`)).status, 409, 'no request between friends')
  const rows = await sqlValue(s.app, sql`SELECT count(*) FROM friend_requests`)
  t.equal(rows, 1, 'one request row in all')
})

t.test('decline, cancel and unfriend', async (t) => {
  const { s, url, alice, bob, carol } = await socialSite(t)

  const r1 = await api(s.app, alice, 'POST', `/api/friends/request/${bob.id}`)
  t.equal((await api(s.app, alice, 'POST', `/api/friends/decline/${r1.body.request_id}`)).status, 404, 'the sender cannot decline')
  t.equal((await api(s.app, bob, 'POST', `/api/friends/decline/${r1.body.request_id}`)).status, 200)
  t.equal((await api(s.app, bob, 'POST', `/api/friends/accept/${r1.body.request_id}`)).status, 409, 'a declined request cannot be accepted')
  t.equal(await s.app.social.pendingRequestCount(bob.id), 0)

  const r2 = await api(s.app, alice, 'POST', `/api/friends/request/${carol.id}`)
  const [c] = await openSockets(t, url, carol)
  t.equal((await api(s.app, carol, 'POST', `/api/friends/cancel/${r2.body.request_id}`)).status, 404, 'the receiver cannot cancel')
  t.equal((await api(s.app, alice, 'POST', `/api/friends/cancel/${r2.body.request_id}`)).status, 200)
  const gone = await c.client.next('topic_event')
  t.equal(gone.event, 'friends_changed')
  t.match(gone.content, /id="friend-requests-badge"[^>]*data-count="0"/, "the receiver's badge goes back down")
  t.equal((await api(s.app, carol, 'POST', `/api/friends/accept/${r2.body.request_id}`)).status, 409)

  await befriend(s.app, alice, bob)
  t.equal((await api(s.app, bob, 'DELETE', `/api/friends/${alice.id}`)).status, 200)
  t.notOk(await s.app.social.areFriends(alice.id, bob.id))
  t.equal((await api(s.app, bob, 'DELETE', `/api/friends/${alice.id}`)).status, 404)
})

t.test('pages: search, request through htmx, pending count in the navbar', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app, { username: 'alice_s' })
  const bob = await createUser(s.app, { username: 'bob_s' })
  const ba = await new Browser(s.app).login(alice.username, alice.password)
  const bb = await new Browser(s.app).login(bob.username, bob.password)

  const page = await ba.get('/friends?q=bob')
  t.equal(page.statusCode, 200)
  t.match(page.body, new RegExp(`id="person-${bob.id}"`))
  t.match(page.body, /Add friend/)

  const frag = await ba.get('/friends/search?q=bo', { 'hx-request': 'true' })
  t.match(frag.body, /@bob_s/)
  t.notMatch(frag.body, /<html/, 'htmx gets a fragment')

  const res = await ba.post(`/friends/request/${bob.id}?view=person`, {}, { headers: { 'hx-request': 'true' } })
  t.equal(res.statusCode, 200)
  t.match(res.body, new RegExp(`<li id="person-${bob.id}"`))
  t.match(res.body, /Request sent/)
  t.match(res.body, /id="friends-panel"[^>]*hx-swap-oob="true"/)

  const again = await ba.post(`/friends/request/${bob.id}?view=person`, {}, { headers: { 'hx-request': 'true' } })
  t.match(again.body, /already asked/, 'a duplicate shows an inline message')

  const home = await bb.get('/')
  t.match(home.body, /id="friend-requests-badge" class="badge" data-count="1"/, "bob's navbar counts the request")
  t.match(home.body, /href="\/messages"/)
  const bobPage = await bb.get('/friends')
  const id = /\/friends\/accept\/(\d+)/.exec(bobPage.body)?.[1]
  t.ok(id, 'bob sees an Accept button')
  const acc = await bb.post(`/friends/accept/${id}`)
  t.equal(acc.statusCode, 303, 'without htmx the form redirects')
  t.match((await bb.get('/friends')).body, new RegExp(`id="friend-${alice.id}"`))
  t.match((await bb.get('/')).body, /id="friend-requests-badge" class="badge empty" data-count="0"/)

  // No CSRF token, no change.
  const forged = await ba.post(`/friends/remove/${bob.id}`, {}, { csrf: false })
  t.equal(forged.statusCode, 403)
  t.ok(await s.app.social.areFriends(alice.id, bob.id))
})
