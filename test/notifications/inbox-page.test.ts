/**
 * The inbox page: tabs with their unread counts (the current one marked), views per status and
 * category with their empty states, paging both ways (before= and after=, also on the API),
 * and "Done for all read" (page and API), each only ever about the caller's rows.
 */
import t from 'tap'
import { Browser, connectReady } from '../helper.js'
import { liveSite } from '../realtime/fixtures/live.js'

const rowIds = (body: string) => [...body.matchAll(/<li id="notification-(\d+)"/g)].map((m) => Number(m[1]))
const tab = (body: string, label: string) => new RegExp(`<a href="[^"]*"( aria-current="page")?>${label}(?: <span class="tab-count[^"]*" data-unread-of="\\w+">(\\d+)</span>)?`).exec(body.slice(body.indexOf('class="inbox-tabs"')))

t.test('tabs: counts per category, the current one marked, each view its rows and its empty state', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const notify = async (userId: number, kind: string, title: string) => (await s.app.notifications.notify({ userIds: [userId] }, { kind, title } as never)).ids[0]!
  const blog = [await notify(alice.id, 'comment', 'c1'), await notify(alice.id, 'like', 'l1'), await notify(alice.id, 'comment', 'c2')]
  const billing = [await notify(alice.id, 'invoice_paid', 'p1'), await notify(alice.id, 'invoice_overdue', 'o1')]
  await notify(bob.id, 'system', 'for-bob')
  await s.app.notifications.markRead(alice.id, blog[0]!)
  await s.app.notifications.archive(alice.id, billing[0]!)
  const b = await new Browser(s.app).login(alice.username, alice.password)

  let page = await b.get('/notifications')
  t.equal(tab(page.body, 'All')?.[1], ' aria-current="page"', 'All is the current tab')
  t.equal(tab(page.body, 'All')?.[2], '3', 'All: 3 unread')
  t.equal(tab(page.body, 'Unread')?.[1], undefined, 'Unread is not current')
  t.equal(tab(page.body, 'Blog')?.[2], '2', 'Blog: 2 unread')
  t.equal(tab(page.body, 'Billing')?.[2], '1', 'Billing: 1 unread (the done one is read)')
  t.equal(tab(page.body, 'Social')?.[2], '0', 'Social: 0 (rendered, hidden by the stylesheet)')
  t.match(page.body, /<span class="tab-count empty" data-unread-of="social">0<\/span>/)
  t.same(rowIds(page.body), [billing[1], ...blog.slice().reverse()], 'the inbox: not the done one, never bob\'s')

  page = await b.get('/notifications?category=blog')
  t.equal(tab(page.body, 'Blog')?.[1], ' aria-current="page"', 'Blog is current')
  t.equal(tab(page.body, 'All')?.[1], undefined)
  t.same(rowIds(page.body), blog.slice().reverse(), 'blog rows only')
  t.match(page.body, /data-live="blog"/, 'takes pushed blog rows only')
  t.match(page.body, /<title>Blog · Notifications · Pulse<\/title>/)

  page = await b.get('/notifications?status=unread')
  t.same(rowIds(page.body), [billing[1], blog[2], blog[1]], 'unread only')
  t.equal(tab(page.body, 'Unread')?.[1], ' aria-current="page"')
  page = await b.get('/notifications?unread=1')
  t.equal(tab(page.body, 'Unread')?.[1], ' aria-current="page"', 'the old unread=1 address is the Unread tab')

  page = await b.get('/notifications?status=archived')
  t.same(rowIds(page.body), [billing[0]], 'archived: the done one')
  t.match(page.body, /data-live=""/, 'no pushed rows in Archived')
  t.match(page.body, /action="\/notifications\/\d+\/unarchive"/, 'its row offers "Back to inbox"')
  t.notMatch(page.body, /action="\/notifications\/\d+\/archive"/, 'and no Done')

  page = await b.get('/notifications?status=snoozed')
  t.same(rowIds(page.body), [], 'nothing snoozed')
  t.match(page.body, /<p class="empty-state">Nothing snoozed\./, 'its own empty state')
  page = await b.get('/notifications?category=social')
  t.match(page.body, /<p class="empty-state">No social notifications yet\.<\/p>/)
  page = await b.get('/notifications?category=nope')
  t.equal(page.statusCode, 400, 'an unknown category is refused')
})

t.test('paging both ways: Older (before=) and Newer (after=), on the page and the API', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const ids: number[] = []
  for (let i = 0; i < 25; i++) ids.push((await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: `n${i}` })).ids[0]!)
  await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'bob' })
  const b = await new Browser(s.app).login(alice.username, alice.password)
  const link = (body: string, label: string) => new RegExp(`<a href="([^"]+)" class="button secondary" rel="\\w+">${label}</a>`).exec(body)?.[1]?.replace(/&amp;/g, '&')

  const first = await b.get('/notifications')
  t.equal(link(first.body, 'Newer'), undefined, 'the first page has no Newer link')
  t.equal(link(first.body, 'Older'), `/notifications?before=${ids[5]}`)
  const second = await b.get(link(first.body, 'Older')!)
  t.same(rowIds(second.body), ids.slice(0, 5).reverse())
  t.equal(link(second.body, 'Older'), undefined, 'the last page has no Older link')
  t.equal(link(second.body, 'Newer'), `/notifications?after=${ids[4]}`, 'and a Newer link')
  const back = await b.get(link(second.body, 'Newer')!)
  t.same(rowIds(back.body), ids.slice(5).reverse(), 'Newer: the twenty above, newest first')
  t.equal(link(back.body, 'Newer'), undefined, 'nothing newer than those')
  t.equal(link(back.body, 'Older'), `/notifications?before=${ids[5]}`)
  t.match(back.body, /data-live="blog billing social system"/, 'the top page takes pushed rows')

  const middle = await b.get(`/notifications?after=${ids[2]}`)
  t.same(rowIds(middle.body), ids.slice(3, 23).reverse(), 'after= takes the oldest twenty above it')
  t.equal(link(middle.body, 'Newer'), `/notifications?after=${ids[22]}`, 'more above: a Newer link')
  t.match(middle.body, /data-live=""/, 'a page below the top takes no pushed rows')

  const api = await b.json('GET', `/api/notifications?after=${ids[19]}&limit=3`)
  t.equal(api.statusCode, 200)
  t.same(api.json().notifications.map((n: { id: number }) => n.id), [ids[22], ids[21], ids[20]], 'API: after= answers the oldest above it, newest first')
  const filtered = await b.json('GET', `/api/notifications?after=${ids[23]}&status=unread`)
  t.same(filtered.json().notifications.map((n: { id: number }) => n.id), [ids[24]], 'after= with a status filter')
})

t.test('"Done for all read": read rows of the inbox are done, unread and snoozed stay; every tab hears it; bob gets nothing', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const ids = (await s.app.notifications.notify({ userIds: [alice.id, alice.id, alice.id, alice.id] }, { kind: 'system', title: 'x' })).ids
  const [bobs] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'y' })).ids
  await s.app.notifications.markRead(bob.id, bobs!)
  await s.app.notifications.markRead(alice.id, ids[0]!)
  await s.app.notifications.markRead(alice.id, ids[1]!)
  await s.app.notifications.snooze(alice.id, ids[2]!, Date.now() + 3600_000)
  const b = await new Browser(s.app).login(alice.username, alice.password)
  await b.get('/notifications')
  const tabA = await connectReady(url, { token: alice.token })
  const tabB = await connectReady(url, { token: bob.token })
  const bobMark = tabB.client.mark()

  const res = await b.post('/notifications/archive-read', { status: 'unread' })
  t.equal(res.statusCode, 303, 'without script: back to the view it was sent from')
  t.equal(res.headers.location, '/notifications?status=unread')
  const frame = await tabA.client.next('notification_state')
  t.match(frame, { archived: true, read: true, unread_count: 1 })
  t.same(frame.ids, [ids[0], ids[1]], 'one frame names the two')
  const state = async (id: number) => s.app.notifications.get(alice.id, id)
  t.same([(await state(ids[0]!)).archived, (await state(ids[1]!)).archived, (await state(ids[2]!)).archived, (await state(ids[3]!)).archived], [true, true, false, false], 'the two read ones')
  t.ok((await state(ids[2]!)).snoozed_until, 'the snoozed one stays snoozed')
  t.equal((await s.app.notifications.get(bob.id, bobs!)).archived, false, "bob's read row is untouched")

  const hx = await b.post('/notifications/archive-read', {}, { headers: { 'hx-request': 'true' } })
  t.equal(hx.statusCode, 200, 'htmx: the section again')
  t.match(hx.body, /id="notifications-section"/)
  const mark = tabA.client.mark()
  const api = await s.app.inject({ method: 'POST', url: '/api/notifications/archive-read', headers: { authorization: `Bearer ${alice.token}` } })
  t.same(api.json(), { unread_count: 1, unread_messages_count: 0 }, 'API: the counts')
  t.same(await tabA.client.since(mark, 150, 'notification_state'), [], 'nothing left to archive: no frame')
  t.same(await tabB.client.since(bobMark, 0), [], 'bob got nothing')
  for (const c of [tabA, tabB]) await c.client.close()
})
