/** The notifications HTTP API exactly as the protocol (docs/protocol.md) says. */
import t from 'tap'
import { notifications } from '../../src/db/schema.js'
import { adminNotify, bearer, buildTestApp, connectReady, createUser, type Frame } from '../helper.js'

t.test('list: newest first, unread filter, limit and before paging, counts', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const ids: number[] = []
  for (let i = 1; i <= 25; i++) ids.push((await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'comment', title: `n${i}`, message: `m${i}`, linkUrl: '/x', linkText: 'X', actorId: bob.id })).ids[0]!)
  await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'bob' })
  for (const id of ids.slice(0, 5)) await s.app.notifications.markRead(alice.id, id)
  const get = (url: string) => s.app.inject({ method: 'GET', url, headers: bearer(alice) })

  let res = await get('/api/notifications')
  t.equal(res.statusCode, 200)
  let body = res.json()
  t.same(Object.keys(body).sort(), ['notifications', 'unread_by_category', 'unread_count', 'unread_messages_count'])
  t.same(body.unread_by_category, { blog: 20, billing: 0, social: 0, system: 0 })
  t.equal(body.unread_count, 20)
  t.equal(body.unread_messages_count, 0)
  t.same(body.notifications.map((n: any) => n.id), ids.slice(5).reverse(), 'default page: 20, newest first')
  t.same(body.notifications[0], {
    id: ids[24],
    kind: 'comment',
    title: 'n25',
    message: 'm25',
    link_url: '/x',
    link_text: 'X',
    icon: 'comment',
    actor: { id: bob.id, username: bob.username },
    created_at: body.notifications[0].created_at,
    read: false,
    category: 'blog',
    thread: null,
    archived: false,
    snoozed_until: null,
    actions: [],
  }, 'the Notification object of PROTOCOL.md')
  t.match(body.notifications[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

  res = await get(`/api/notifications?limit=5&before=${ids[10]}`)
  t.same(res.json().notifications.map((n: any) => n.id), ids.slice(5, 10).reverse(), 'limit + before')
  res = await get(`/api/notifications?limit=10&before=${ids[3]}`)
  t.same(res.json().notifications.map((n: any) => n.id), ids.slice(0, 3).reverse(), 'last page is short')
  t.same(res.json().notifications.map((n: any) => n.read), [true, true, true])

  res = await get('/api/notifications?unread=1&limit=100')
  body = res.json()
  t.equal(body.notifications.length, 20, 'unread only')
  t.ok(body.notifications.every((n: any) => !n.read))
  res = await get('/api/notifications?limit=100')
  t.equal(res.json().notifications.length, 25, 'never another user\'s rows')

  // Each page size is a statement of its own: sizes seen for the first time, a fraction, none.
  for (const [limit, rows] of [[3, 3], [7, 7], [3, 3], [2.9, 2], [Number.NaN, 20], [1_000, 25]] as const) {
    const listed = await s.app.notifications.list(alice.id, { limit })
    t.same(listed.map((n) => n.id), ids.slice(25 - rows).reverse(), `list({ limit: ${limit} }): the newest ${rows}`)
  }

  for (const bad of ['limit=0', 'limit=101', 'limit=x', 'before=0', 'unread=maybe']) {
    res = await get(`/api/notifications?${bad}`)
    t.equal(res.statusCode, 400, `${bad}: 400`)
    t.match(res.json(), { error: 'invalid', message: String })
  }
  res = await s.app.inject({ method: 'GET', url: '/api/notifications' })
  t.equal(res.statusCode, 401, 'anonymous: 401')
  t.same(res.json(), { error: 'unauthorized', message: 'Log in or send a valid bearer token' })
})

t.test('unread-count, :id/read (404 for others), read-all; pushes reach the owner only', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const [a1, a2] = (await s.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'system', title: 'a' })).ids
  const [b1] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'b' })).ids
  const aSock = await connectReady(url, { token: alice.token })
  const bSock = await connectReady(url, { token: bob.token })
  const bobMark = bSock.client.mark()
  const call = (method: 'GET' | 'POST', path: string, user = alice) => s.app.inject({ method, url: path, headers: bearer(user) })

  let res = await call('GET', '/api/notifications/unread-count')
  t.same(res.json(), { unread_count: 2, unread_messages_count: 0 })

  res = await call('POST', `/api/notifications/${b1}/read`)
  t.equal(res.statusCode, 404, "another user's id: 404")
  t.same(res.json(), { error: 'not_found', message: `You have no notification ${b1}` })
  t.equal((await s.app.notifications.get(bob.id, b1!))!.read, false, "bob's stays unread")
  t.equal((await call('POST', '/api/notifications/999999/read')).statusCode, 404, 'unknown id: 404')
  t.equal((await call('POST', '/api/notifications/abc/read')).statusCode, 400, 'malformed id: 400')

  res = await call('POST', `/api/notifications/${a1}/read`)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { unread_count: 1, unread_messages_count: 0 })
  t.equal((await aSock.client.next('count_update')).unread_count, 1, "alice's socket got the new count")
  res = await call('POST', `/api/notifications/${a1}/read`)
  t.same(res.json(), { unread_count: 1, unread_messages_count: 0 }, 'marking twice is harmless')

  res = await call('POST', '/api/notifications/read-all')
  t.same(res.json(), { unread_count: 0, unread_messages_count: 0 })
  t.equal((await aSock.client.next('count_update')).unread_count, 0)
  t.equal((await s.app.notifications.get(alice.id, a2!))!.read, true)
  t.same(await bSock.client.since(bobMark, 150), [], 'bob got nothing')
  t.same((await call('GET', '/api/notifications/unread-count', bob)).json(), { unread_count: 1, unread_messages_count: 0 }, "bob's count is untouched")
  await aSock.client.close()
  await bSock.client.close()
})

t.test('POST /api/notifications (admin): user_ids, usernames, all; 403 and 400 change nothing', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const carol = await createUser(s.app)
  const rows = async () => (await s.app.db.select().from(notifications)).length
  const sockets = {
    alice: await connectReady(url, { token: alice.token }),
    bob: await connectReady(url, { token: bob.token }),
    carol: await connectReady(url, { token: carol.token }),
  }

  const carolMark = sockets.carol.client.mark()
  let res = await adminNotify(s.app, admin, { user_ids: [alice.id, bob.id], title: 'Hi', message: 'both', link_url: '/notifications', link_text: 'Open' })
  t.equal(res.statusCode, 201)
  let body = res.json()
  t.equal(body.created, 2)
  t.equal(body.ids.length, 2)
  for (const [name, user] of [['alice', alice], ['bob', bob]] as const) {
    const f = await sockets[name].client.next('notification')
    t.ok(body.ids.includes(f.notification.id), `${name} got the push`)
    t.match(f.notification, { kind: 'system', title: 'Hi', message: 'both', link_url: '/notifications', link_text: 'Open', actor: { id: admin.id, username: admin.username }, read: false })
    t.ok(await s.app.notifications.get(user.id, f.notification.id), 'with their own row id')
  }
  t.same(await sockets.carol.client.since(carolMark, 150), [], 'carol got nothing')

  const aliceMark = sockets.alice.client.mark()
  res = await adminNotify(s.app, admin, { usernames: [carol.username.toUpperCase()], title: 'Carol', message: '', kind: 'invoice_paid' })
  t.equal(res.statusCode, 201)
  t.equal(res.json().created, 1)
  t.match((await sockets.carol.client.next('notification')).notification, { kind: 'invoice_paid', icon: 'paid' })
  t.same(await sockets.alice.client.since(aliceMark, 100, 'notification'), [], 'alice got nothing this time')

  const before = await rows()
  const aliceMark2 = sockets.alice.client.mark()
  const bad: Array<[string, Record<string, unknown>, string]> = [
    ['no recipients', { title: 't', message: '' }, 'invalid'],
    ['two kinds of recipients', { user_ids: [alice.id], all: true, title: 't', message: '' }, 'invalid'],
    ['empty user_ids', { user_ids: [], title: 't', message: '' }, 'invalid'],
    ['blank title', { user_ids: [alice.id], title: '  ', message: '' }, 'invalid'],
    ['missing title', { user_ids: [alice.id], message: '' }, 'invalid'],
    ['unknown kind', { user_ids: [alice.id], title: 't', message: '', kind: 'spam' }, 'invalid'],
    ['javascript: link', { user_ids: [alice.id], title: 't', message: '', link_url: 'javascript:alert(1)' }, 'invalid'],
    ['title too long', { user_ids: [alice.id], title: 'x'.repeat(201), message: '' }, 'invalid'],
    ['unknown username', { usernames: [alice.username, 'nobody'], title: 't', message: '' }, 'unknown_users'],
    ['unknown user id', { user_ids: [alice.id, 99999], title: 't', message: '' }, 'unknown_users'],
  ]
  for (const [name, payload, code] of bad) {
    res = await adminNotify(s.app, admin, payload)
    t.equal(res.statusCode, 400, `${name}: 400`)
    t.match(res.json(), { error: code, message: String }, `${name}: ${res.json().message}`)
  }
  t.match((await adminNotify(s.app, admin, { usernames: ['nobody'], title: 't', message: '' })).json().message, /nobody/, 'names the unknown user')
  t.equal(await rows(), before, 'nothing was created by any bad request')

  res = await adminNotify(s.app, alice, { all: true, title: 'spam', message: '' })
  t.equal(res.statusCode, 403, 'non-admin: 403')
  t.same(res.json(), { error: 'forbidden', message: 'Only administrators can do that' })
  res = await s.app.inject({ method: 'POST', url: '/api/notifications', payload: { all: true, title: 'x', message: '' } })
  t.equal(res.statusCode, 401, 'anonymous: 401')
  t.equal(await rows(), before, 'still nothing created')
  t.same(await sockets.alice.client.since(aliceMark2, 150, 'notification'), [], 'and nothing pushed')
  for (const c of Object.values(sockets)) await c.client.close()
})

t.test('broadcast to everyone reaches every connected user once, with their own row', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const users = await Promise.all([1, 2, 3, 4].map(() => createUser(s.app)))
  const offline = await createUser(s.app)
  const sockets = [
    ...(await Promise.all(users.map((u) => connectReady(url, { token: u.token })))).map((c, i) => ({ c, user: users[i]! })),
    { c: await connectReady(url, { token: users[0]!.token }), user: users[0]! },
  ]
  const res = await adminNotify(s.app, admin, { all: true, title: 'Everyone', message: 'hello all' })
  t.equal(res.statusCode, 201)
  const body = res.json()
  t.equal(body.created, 6, 'one row per user, admin and offline user included')
  t.same(body.ids, [...body.ids].sort((a: number, b: number) => a - b))
  await new Promise((r) => setTimeout(r, 200))
  const seen = new Map<number, number>()
  for (const { c, user } of sockets) {
    const frames = c.client.ofType('notification') as Frame[]
    t.equal(frames.length, 1, `user ${user.id}'s socket got it exactly once`)
    const n = frames[0]!.notification
    t.equal(n.title, 'Everyone')
    t.ok(await s.app.notifications.get(user.id, n.id), 'the id is that user\'s own row')
    t.equal(frames[0]!.unread_count, 1)
    seen.set(user.id, n.id)
  }
  t.equal(new Set(seen.values()).size, users.length, 'distinct rows for distinct users')
  t.equal((await s.app.notifications.counts(offline.id)).unread_count, 1, 'the offline user finds it later')
  for (const { c } of sockets) await c.client.close()
})
