/** Click-through: GET /notifications/:id/open marks the notification read (pushed to every tab) and follows its same-site link. */
import t from 'tap'
import { Browser, connectReady } from '../helper.js'
import { liveSite } from '../realtime/fixtures/live.js'

t.test('open marks read, pushes the state, redirects to the link (same-site paths only); bob gets nothing', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const notify = (userId: number, linkUrl: string | null) => s.app.notifications.notify({ userIds: [userId] }, { kind: 'comment', title: 'c', linkUrl }).ids[0]!
  const local = notify(alice.id, '/blog/posts/4#comment-9')
  const external = notify(alice.id, 'https://example.com/x')
  const none = notify(alice.id, null)
  const bobs = notify(bob.id, '/blog')
  const browser = await new Browser(s.app).login(alice.username, alice.password)
  const tab = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const bMark = b.client.mark()

  let res = await browser.get(`/notifications/${local}/open`)
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/blog/posts/4#comment-9')
  t.match(await tab.client.next('notification_state'), { ids: [local], read: true, unread_count: 2 })
  t.equal(s.app.notifications.get(alice.id, local).read, true)

  res = await browser.get(`/notifications/${external}/open`)
  t.equal(res.headers.location, '/notifications', 'an off-site link is not followed')
  res = await browser.get(`/notifications/${none}/open`)
  t.equal(res.headers.location, '/notifications', 'no link: the inbox')
  t.equal(s.app.notifications.counts(alice.id).unread_count, 0, 'each opened one is read')
  t.match(await tab.client.next('notification_state'), { ids: [external], read: true })
  t.match(await tab.client.next('notification_state'), { ids: [none], read: true, unread_count: 0 })

  await tab.client.settle(150) // the count_update frames of the opens above
  const tMark = tab.client.mark()
  res = await browser.get(`/notifications/${bobs}/open`)
  t.equal(res.statusCode, 404, "bob's: 404")
  t.equal(s.app.notifications.get(bob.id, bobs).read, false, "bob's stays unread")
  res = await s.app.inject({ method: 'GET', url: `/notifications/${local}/open` })
  t.not(res.headers.location, '/blog/posts/4#comment-9', 'anonymous: not followed')
  t.same(await tab.client.since(tMark, 150), [], 'alice got nothing for refused opens')
  t.same(await b.client.since(bMark, 0), [], 'bob got nothing')
})
