/**
 * Click-through: following a notification marks it read, but a GET changes state only for a
 * navigation from this site (Sec-Fetch-Site: same-origin); any other GET gets a confirmation
 * page whose button POSTs with the CSRF token.
 */
import t from 'tap'
import { Browser, connectReady } from '../helper.js'
import { liveSite } from '../realtime/fixtures/live.js'

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' }

t.test('open from this site marks read, pushes the state, redirects to the link (same-site paths only); bob gets nothing', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const notify = async (userId: number, linkUrl: string | null) => (await s.app.notifications.notify({ userIds: [userId] }, { kind: 'comment', title: 'c', linkUrl })).ids[0]!
  const local = await notify(alice.id, '/blog/posts/4#comment-9')
  const external = await notify(alice.id, 'https://example.com/x')
  const none = await notify(alice.id, null)
  const bobs = await notify(bob.id, '/blog')
  const browser = await new Browser(s.app).login(alice.username, alice.password)
  const tab = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const bMark = b.client.mark()

  let res = await browser.get(`/notifications/${local}/open`, SAME_ORIGIN)
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/blog/posts/4#comment-9')
  t.match(await tab.client.next('notification_state'), { ids: [local], read: true, unread_count: 2 })
  t.equal((await s.app.notifications.get(alice.id, local)).read, true)

  res = await browser.get(`/notifications/${external}/open`, SAME_ORIGIN)
  t.equal(res.headers.location, '/notifications', 'an off-site link is not followed')
  res = await browser.get(`/notifications/${none}/open`, SAME_ORIGIN)
  t.equal(res.headers.location, '/notifications', 'no link: the inbox')
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 0, 'each opened one is read')
  t.match(await tab.client.next('notification_state'), { ids: [external], read: true })
  t.match(await tab.client.next('notification_state'), { ids: [none], read: true, unread_count: 0 })

  await tab.client.settle(150) // the count_update frames of the opens above
  const tMark = tab.client.mark()
  res = await browser.get(`/notifications/${bobs}/open`, SAME_ORIGIN)
  t.equal(res.statusCode, 404, "bob's: 404")
  t.equal((await s.app.notifications.get(bob.id, bobs)).read, false, "bob's stays unread")
  res = await s.app.inject({ method: 'GET', url: `/notifications/${local}/open`, headers: SAME_ORIGIN })
  t.not(res.headers.location, '/blog/posts/4#comment-9', 'anonymous: not followed')
  t.same(await tab.client.since(tMark, 150), [], 'alice got nothing for refused opens')
  t.same(await b.client.since(bMark, 0), [], 'bob got nothing')
})

t.test('a GET from another site (or without Sec-Fetch-Site) changes nothing: a confirmation page POSTs instead', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const id = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'comment', title: 'Bob commented', linkUrl: '/blog/posts/4', linkText: 'View comment' })).ids[0]!
  const bobs = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'comment', title: 'x', linkUrl: '/blog' })).ids[0]!
  const browser = await new Browser(s.app).login(alice.username, alice.password)
  const tab = await connectReady(url, { token: alice.token })
  const mark = tab.client.mark()

  const variants: Array<Record<string, string>> = [{ 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, {}]
  for (const headers of variants) {
    const res = await browser.get(`/notifications/${id}/open`, headers)
    t.equal(res.statusCode, 200, `${JSON.stringify(headers)}: a page, not a redirect`)
    t.match(res.body, new RegExp(`<form method="post" action="/notifications/${id}/open"`), 'with a form that POSTs')
    t.match(res.body, /<button type="submit">View comment<\/button>/)
  }
  t.equal((await s.app.notifications.get(alice.id, id)).read, false, 'still unread')
  t.same(await tab.client.since(mark, 150), [], 'nothing pushed')

  let res = await browser.post(`/notifications/${id}/open`, {}, { csrf: false })
  t.equal(res.statusCode, 403, 'the POST without the CSRF token is refused')
  t.equal((await s.app.notifications.get(alice.id, id)).read, false)
  res = await browser.post(`/notifications/${id}/open`)
  t.equal(res.statusCode, 303, 'the confirmation button')
  t.equal(res.headers.location, '/blog/posts/4')
  t.equal((await s.app.notifications.get(alice.id, id)).read, true, 'read now')
  t.match(await tab.client.next('notification_state'), { ids: [id], read: true })
  res = await browser.post(`/notifications/${bobs}/open`)
  t.equal(res.statusCode, 404, "bob's: 404")
  res = await browser.get(`/notifications/${bobs}/open`)
  t.equal(res.statusCode, 404, "bob's, even the confirmation page: 404")
  t.equal((await s.app.notifications.get(bob.id, bobs)).read, false)
})
