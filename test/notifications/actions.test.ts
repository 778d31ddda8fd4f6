/**
 * Notification actions (issue 11 item 4): a friend request's Accept and Decline, an
 * overdue invoice's Mark paid, a comment's Reply. Each over HTTP: it works, marks the
 * notification read with notification_state and count_update on every socket of the
 * user (nobody else gets anything), answers 409 once already answered or paid and 404
 * for someone else's.
 */
import t from 'tap'
import { actionsOf } from '../../src/domains/notifications/actions.js'
import { bearer, buildTestApp, connectReady, createUser } from '../helper.js'
import { draftOf, ist, seedBusiness } from '../billing/fixtures/seed.js'
import { comment, createPost } from '../blog/fixtures/blog.js'
import { liveSite } from '../realtime/fixtures/live.js'
import { api } from '../social/fixtures/social.js'

t.test('actionsOf: from kind and thread alone', async (t) => {
  t.same(actionsOf('friend_request', 'user:7'), [
    { id: 'accept', label: 'Accept', method: 'POST', url: '/api/friends/accept-from/7' },
    { id: 'decline', label: 'Decline', method: 'POST', url: '/api/friends/decline-from/7' },
  ])
  t.same(actionsOf('invoice_overdue', 'invoice:9'), [{ id: 'mark_paid', label: 'Mark paid', method: 'POST', url: '/api/billing/invoices/9/paid' }])
  t.same(actionsOf('comment', 'post:4'), [{ id: 'reply', label: 'Reply', method: 'GET', url: '/blog/posts/4#comment-form-4' }])
  for (const [kind, thread] of [
    ['friend_request', null],
    ['friend_request', 'post:7'],
    ['invoice_overdue', 'invoice:x'],
    ['invoice_paid', 'invoice:9'],
    ['invoice_created', 'invoice:9'],
    ['like', 'post:4'],
    ['comment', 'post:0'],
    ['system', null],
  ] as const) {
    t.same(actionsOf(kind, thread), [], `${kind} ${thread}: none`)
  }
})

t.test('friend request: Accept from the notification; read on every socket of the accepter, 409 once answered, 404 for others', async (t) => {
  const { s, url, alice, bob, carol } = await liveSite(t, ['alice', 'bob', 'carol'])
  t.equal((await api(s.app, alice, 'POST', `/api/friends/request/${bob.id}`)).status, 201)
  const [n] = await s.app.notifications.list(bob.id)
  t.match(n, { kind: 'friend_request', thread: `user:${alice.id}`, read: false })
  const accept = n!.actions.find((a) => a.id === 'accept')!
  t.same(accept, { id: 'accept', label: 'Accept', method: 'POST', url: `/api/friends/accept-from/${alice.id}` })

  const b1 = await connectReady(url, { token: bob.token })
  const b2 = await connectReady(url, { token: bob.token })
  const a = await connectReady(url, { token: alice.token })
  const c = await connectReady(url, { token: carol.token })
  t.teardown(() => Promise.all([b1, b2, a, c].map((x) => x.client.close())))
  const [m1, m2, ma, mc] = [b1, b2, a, c].map((x) => x.client.mark())

  t.equal((await api(s.app, carol, 'POST', accept.url)).status, 404, "carol has no request from alice: 404")
  const res = await api(s.app, bob, accept.method as 'POST', accept.url)
  t.equal(res.status, 200)
  t.equal(res.body.friend.id, alice.id)
  t.equal((await s.app.notifications.get(bob.id, n!.id)).read, true, 'the notification is read')
  for (const [x, m] of [[b1, m1], [b2, m2]] as const) {
    const state = await x.client.next((f) => f.type === 'notification_state' && f.ids?.includes(n!.id) === true)
    t.match(state, { read: true, unread_count: 0 })
    t.ok((await x.client.since(m, 50, 'count_update')).length >= 1, 'count_update for older clients')
  }
  t.match(await a.client.next('friend_accepted'), { data: { friend: { id: bob.id } } }, 'the requester hears friend_accepted')
  t.match(await a.client.next('notification'), { notification: { kind: 'friend_accepted' } })
  t.same((await a.client.since(ma, 100, 'notification_state')), [], "alice's rows did not change")
  t.same(await c.client.since(mc, 50), [], 'carol got nothing')

  const again = await api(s.app, bob, 'POST', accept.url)
  t.equal(again.status, 409, 'already accepted')
  t.match(again.body, { error: 'conflict', message: `You already accepted @${alice.username}'s friend request` })
  t.match((await api(s.app, bob, 'POST', `/api/friends/decline-from/${alice.id}`)).body, { error: 'conflict' }, 'declining after accepting: 409')
  t.equal((await api(s.app, bob, 'POST', '/api/friends/accept-from/999999')).status, 404, 'no such user')
})

t.test('friend request: Decline from the notification, then 409; a cancelled request says so', async (t) => {
  const { s, url, alice, bob, carol } = await liveSite(t, ['alice', 'bob', 'carol'])
  await api(s.app, alice, 'POST', `/api/friends/request/${bob.id}`)
  const [n] = await s.app.notifications.list(bob.id)
  const decline = n!.actions.find((a) => a.id === 'decline')!
  const b = await connectReady(url, { token: bob.token })
  const a = await connectReady(url, { token: alice.token })
  t.teardown(() => Promise.all([a, b].map((x) => x.client.close())))
  const ma = a.client.mark()
  const res = await api(s.app, bob, 'POST', decline.url)
  t.same(res, { status: 200, body: { ok: true } })
  t.match(await b.client.next('notification_state'), { ids: [n!.id], read: true })
  t.same((await a.client.since(ma, 100)).filter((f) => f.type !== 'topic_event'), [], 'alice is not told she was declined (only her friends panel refreshes)')
  t.match((await api(s.app, bob, 'POST', decline.url)).body, { error: 'conflict', message: `You already declined @${alice.username}'s friend request` })

  await api(s.app, carol, 'POST', `/api/friends/request/${bob.id}`)
  await api(s.app, carol, 'POST', `/api/friends/cancel/${(await s.app.social.outgoingRequests(carol.id))[0]!.request_id}`)
  t.match((await api(s.app, bob, 'POST', `/api/friends/accept-from/${carol.id}`)), { status: 409, body: { message: `@${carol.username} cancelled that friend request` } })
})

t.test('overdue invoice: Mark paid from the notification; read on every socket, 409 once paid, 404 for others', async (t) => {
  let now = ist('2026-08-01T10:00')
  const s = await buildTestApp({}, { now: () => now })
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const seeded = await seedBusiness(s.app, alice.id)
  const invoice = await s.app.billing.createInvoice(alice.id, draftOf(seeded.local.id, [{ productId: seeded.widget.id }], '2026-08-10'), { issue: true })
  now = ist('2026-08-11T09:00')
  t.equal(await s.app.billing.notifyOverdue(), 1)
  const n = (await s.app.notifications.list(alice.id)).find((x) => x.kind === 'invoice_overdue')!
  t.same(n.actions, [{ id: 'mark_paid', label: 'Mark paid', method: 'POST', url: `/api/billing/invoices/${invoice.id}/paid` }])

  const a1 = await connectReady(url, { token: alice.token })
  const a2 = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  t.teardown(() => Promise.all([a1, a2, b].map((x) => x.client.close())))
  const mb = b.client.mark()
  t.equal((await api(s.app, bob, 'POST', n.actions[0]!.url)).status, 404, "bob cannot pay alice's invoice")
  const res = await api(s.app, alice, 'POST', n.actions[0]!.url)
  t.equal(res.status, 200)
  t.equal(res.body.invoice?.status ?? res.body.status, 'paid')
  t.equal((await s.app.notifications.get(alice.id, n.id)).read, true)
  for (const x of [a1, a2]) {
    t.match(await x.client.next((f) => f.type === 'notification_state' && f.ids?.includes(n.id) === true), { read: true })
    t.match(await x.client.next('notification'), { notification: { kind: 'invoice_paid' } }, "billing's own invoice_paid")
  }
  t.same(await b.client.since(mb, 100), [], 'bob got nothing')
  const again = await api(s.app, alice, 'POST', n.actions[0]!.url)
  t.equal(again.status, 409)
  t.match(again.body.message, /already paid/)
})

t.test('comment: Reply opens the post at its comment box through /open, which marks it read', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const post = await createPost(s.app, alice)
  await comment(s.app, bob, post.id, 'Nice')
  const n = (await s.app.notifications.list(alice.id)).find((x) => x.kind === 'comment')!
  t.same(n.actions, [{ id: 'reply', label: 'Reply', method: 'GET', url: `/blog/posts/${post.id}#comment-form-${post.id}` }])
  const html = await s.app.inject({ method: 'GET', url: '/notifications', headers: bearer(alice) })
  t.match(html.body, `href="/notifications/${n.id}/open?action=reply"`, 'the row links Reply through /open')
  const res = await s.app.inject({ method: 'GET', url: `/notifications/${n.id}/open?action=reply`, headers: bearer(alice) })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, `/blog/posts/${post.id}#comment-form-${post.id}`)
  t.equal((await s.app.notifications.get(alice.id, n.id)).read, true)
  const unknown = await s.app.inject({ method: 'GET', url: `/notifications/${n.id}/open?action=accept`, headers: bearer(alice) })
  t.equal(unknown.headers.location, '/notifications', 'an action it does not have (or a POST one): the inbox')
  t.equal((await s.app.inject({ method: 'GET', url: `/notifications/${n.id}/open?action=reply`, headers: bearer(bob) })).statusCode, 404)
})

t.test('buttons in the row and the pushed toast; no per-user content; a toast only when the alert allows it', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const b = await connectReady(url, { token: bob.token })
  t.teardown(() => b.client.close())
  await api(s.app, alice, 'POST', `/api/friends/request/${bob.id}`)
  const f = await b.client.next('notification')
  const id = f.notification.id
  const buttons = new RegExp(`<div class="n-actions" data-notification-id="${id}"[^>]*>\\s*<button type="button" class="small" data-action-url="/api/friends/accept-from/${alice.id}" data-action-method="POST" data-outcome="Accepted">Accept</button>`)
  t.match(f.content!, /class="toast toast-friend_request"/)
  t.equal(f.content!.match(buttons)?.length, 1)
  t.equal(f.content!.split('class="n-actions"').length - 1, 2, 'in the toast and in the row')
  const page = await s.app.inject({ method: 'GET', url: '/notifications', headers: bearer(bob) })
  t.match(page.body, buttons)

  const put = await s.app.inject({ method: 'PUT', url: '/api/preferences', headers: bearer(bob), payload: { kinds: { friend_request: { inbox: true, toast: false, desktop: true } } } })
  t.equal(put.statusCode, 200)
  const carol = await createUser(s.app)
  const m = b.client.mark()
  await api(s.app, carol, 'POST', `/api/friends/request/${bob.id}`)
  const g = await b.client.next((x) => x.type === 'notification' && x.notification.id !== id)
  t.match(g, { alert: { toast: false, desktop: true } })
  t.notMatch(g.content, /class="toast /, 'no toast')
  t.match(g.content, `id="notification-${g.notification.id}"`, 'the row still comes')
  t.equal((await b.client.since(m, 50, 'notification')).length, 1)
})
