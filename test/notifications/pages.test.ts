/** /notifications page, htmx mark read (row + OOB badge), and escaping of user text everywhere. */
import t from 'tap'
import { Browser, buildTestApp, connectReady, createUser } from '../helper.js'

const XSS = '<img src=x onerror=alert(1)>'
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;'

t.test('/notifications: login required, newest first, Older link pages back', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const ids: number[] = []
  for (let i = 1; i <= 25; i++) ids.push((await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: `title-${i}` })).ids[0]!)
  await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'for-bob-only' })

  const anon = await s.app.inject({ method: 'GET', url: '/notifications' })
  t.equal(anon.statusCode, 302, 'anonymous: redirect')
  t.equal(anon.headers.location, '/login?next=%2Fnotifications')

  const b = await new Browser(s.app).login(alice.username, alice.password)
  const page = await b.get('/notifications')
  t.equal(page.statusCode, 200)
  const rowIds = [...page.body.matchAll(/<li id="notification-(\d+)"/g)].map((m) => Number(m[1]))
  t.same(rowIds, ids.slice(5).reverse(), 'the newest 20, newest first')
  t.notMatch(page.body, /for-bob-only/, "never another user's")
  t.match(page.body, /id="notif-badge"[^>]*data-count="25"/, 'badge rendered on the server')
  t.match(page.body, /data-live="blog billing social system"/, 'the first page takes live rows of every category')
  const older = /<a href="([^"]+)" class="button secondary" rel="next">Older<\/a>/.exec(page.body)
  t.ok(older, 'an Older link')
  t.equal(older![1], `/notifications?before=${ids[5]}`)

  const page2 = await b.get(older![1]!.replace(/&amp;/g, '&'))
  t.same([...page2.body.matchAll(/<li id="notification-(\d+)"/g)].map((m) => Number(m[1])), ids.slice(0, 5).reverse(), 'the rest')
  t.notMatch(page2.body, />Older</, 'no Older link on the last page')
  t.match(page2.body, /data-live=""/, 'older pages do not take live rows')

  await s.app.notifications.markRead(alice.id, ids[24]!)
  const unread = await b.get('/notifications?unread=1')
  t.notMatch(unread.body, new RegExp(`id="notification-${ids[24]}"`), 'unread filter')
  t.match(unread.body, /before=\d+/, 'its Older link keeps the filter')
  t.match(unread.body, /href="\/notifications\?status=unread&amp;before=\d+"/)
})

t.test('mark read through htmx: the row and an out-of-band badge; others get 404; every tab hears it', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const [n1, n2] = (await s.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'system', title: 'x' })).ids
  const [bobN] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'y' })).ids
  const b = await new Browser(s.app).login(alice.username, alice.password)
  await b.get('/notifications')
  const tab = await connectReady(url, { token: alice.token })
  const other = await connectReady(url, { token: bob.token })
  const bobMark = other.client.mark()
  const hx = { headers: { 'hx-request': 'true' } }

  let res = await b.post(`/notifications/${n1}/read`, {}, hx)
  t.equal(res.statusCode, 200)
  t.match(res.body, new RegExp(`<li id="notification-${n1}" class="notification kind-system" data-category="system">`), 'the row, now read')
  t.notMatch(res.body, /Mark read/, 'without its button')
  t.match(res.body, /<span id="notif-badge" class="badge" data-count="1"[^>]*hx-swap-oob="true">1<\/span>/, 'the badge, out of band')
  t.equal((await tab.client.next('count_update')).unread_count, 1, 'the open socket got the count')

  res = await b.post(`/notifications/${bobN}/read`, {}, hx)
  t.equal(res.statusCode, 404, "bob's notification: 404")
  t.equal((await s.app.notifications.get(bob.id, bobN!))!.read, false)

  res = await b.post(`/notifications/${n2}/read`, {})
  t.equal(res.statusCode, 303, 'without htmx: redirect back')
  t.equal(res.headers.location, '/notifications')

  await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'z' })
  res = await b.post('/notifications/read-all', {}, hx)
  t.equal(res.statusCode, 200)
  t.match(res.body, /id="notifications-section"/, 'the section re-rendered')
  t.notMatch(res.body, /class="notification unread/, 'nothing unread')
  t.match(res.body, /id="notif-badge"[^>]*data-count="0"/)
  t.same(await other.client.since(bobMark, 150), [], 'bob got nothing')
  for (const c of [tab, other]) await c.client.close()
})

t.test('user text is escaped in the page, in pushed content and in the toast', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const a = await connectReady(url, { token: alice.token })
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/notifications',
    headers: { authorization: `Bearer ${admin.token}` },
    payload: { user_ids: [alice.id], title: XSS, message: `"quoted" ${XSS}`, link_url: '/notifications?a="><script>', link_text: '<b>go</b>' },
  })
  t.equal(res.statusCode, 201)

  const pushed = await a.client.next('notification')
  t.equal(pushed.notification.title, XSS, 'JSON clients get the text as it is')
  const toast = /<div class="toast[\s\S]*?<\/div>\s*<\/div>/.exec(pushed.content ?? '')?.[0] ?? ''
  t.ok(toast, 'the content carries a toast')
  t.match(toast, `<strong class="toast-title">${ESCAPED}</strong>`, 'toast title escaped')
  t.match(toast, `data-title="${ESCAPED}"`, 'attributes escaped')
  t.match(toast, '&quot;quoted&quot;', 'quotes escaped')
  t.notMatch(pushed.content, /<img|<script|<b>/, 'no live markup from user text anywhere in the content')

  const b = await new Browser(s.app).login(alice.username, alice.password)
  const page = await b.get('/notifications')
  t.match(page.body, `<div class="n-title">${ESCAPED}</div>`, 'escaped in the page')
  const main = /<main[\s\S]*<\/main>/.exec(page.body)![0]
  t.notMatch(main, /<img|<script|<b>go/, 'no live markup in the page')
  await a.client.close()
})

t.test('a pushed notification is ASCII when its text is (entities, not … or ·, in the fragments)', async (t) => {
  // V8 keeps an all-Latin-1 frame as a one-byte string: a broadcast writes each socket's
  // copy ~15% cheaper (bench/broadcast-cost.js). One "…" made every frame two-byte.
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const a = await connectReady(url, { token: alice.token })
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/notifications',
    headers: { authorization: `Bearer ${admin.token}` },
    payload: { user_ids: [alice.id], title: 'Plain title', message: 'plain', link_url: '/blog', link_text: 'Read' },
  })
  t.equal(res.statusCode, 201)
  const pushed = await a.client.next('notification')
  t.match(pushed.content, /class="toast[\s\S]*class="n-controls" data-notification="\d+" data-fill="controls" data-place="toast" data-state="unread"><\/div>[\s\S]*class="n-meta"[\s\S]*class="n-link"[\s\S]*data-place="row" data-state="unread"><\/div>/, "toast, a row with its actor and link, each with its controls' shell (public/app.js writes them)")
  t.notMatch(pushed.content, /n-controls-toggle|Snooze/, 'the controls themselves are not in the frame')
  t.notMatch(JSON.stringify(pushed), /[^\x00-\x7f]/, 'nothing outside ASCII in the frame')
  await a.client.close()
})
