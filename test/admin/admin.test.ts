/** /admin/notifications: admins only; one user, several, everyone; "Sent to N users"; errors change nothing. */
import t from 'tap'
import { notifications } from '../../src/db/schema.js'
import { Browser, buildTestApp, connectReady, createUser } from '../helper.js'

t.test('non-admins get 403 on the page and the API; anonymous users are sent to log in', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const b = await new Browser(s.app).login(alice.username, alice.password)
  let res = await b.get('/admin/notifications')
  t.equal(res.statusCode, 403, 'page: 403')
  t.match(res.headers['content-type'], /text\/html/, 'an error page for browsers')
  t.match(res.body, /Only administrators can do that/)
  t.notMatch(res.body, /href="\/admin\/notifications"/, 'no Admin link in the navbar for non-admins')
  res = await b.post('/admin/notifications', { target: 'all', title: 'hi' })
  t.equal(res.statusCode, 403, 'form post: 403')
  res = await b.json('POST', '/api/notifications', { all: true, title: 'hi', message: '' })
  t.equal(res.statusCode, 403, 'API with the cookie: 403')
  t.same(res.json(), { error: 'forbidden', message: 'Only administrators can do that' })
  t.equal((await s.app.db.select().from(notifications)).length, 0, 'nothing was sent')

  res = await s.app.inject({ method: 'GET', url: '/admin/notifications' })
  t.equal(res.statusCode, 302)
  t.equal(res.headers.location, '/login?next=%2Fadmin%2Fnotifications')
})

t.test('the admin form sends to one user, several or everyone and says how many', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true, username: 'boss' })
  const alice = await createUser(s.app, { username: 'alice' })
  const bob = await createUser(s.app, { username: 'bob' })
  const carol = await createUser(s.app, { username: 'carol' })
  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const c = await connectReady(url, { token: carol.token })
  const rows = async () => (await s.app.db.select().from(notifications)).length

  const adm = await new Browser(s.app).login(admin.username, admin.password)
  let res = await adm.get('/admin/notifications')
  t.equal(res.statusCode, 200)
  t.match(res.body, /<form method="post" action="\/admin\/notifications"/)
  t.match(res.body, /href="\/admin\/notifications" aria-current="page">Admin</, 'Admin link for admins')

  let marks = [b.client.mark(), c.client.mark()]
  res = await adm.post('/admin/notifications', { target: 'user', usernames: 'alice', title: 'Just you', message: 'hi', kind: 'system' })
  t.equal(res.statusCode, 200)
  t.match(res.body, /Sent to <strong>1<\/strong> user\./)
  t.equal((await a.client.next('notification')).notification.title, 'Just you')
  t.same(await b.client.since(marks[0]!, 100), [], 'bob got nothing')
  t.same(await c.client.since(marks[1]!, 0), [], 'carol got nothing')

  marks = [c.client.mark()]
  res = await adm.post('/admin/notifications', { target: 'users', usernames: 'alice, BOB', title: 'Two', kind: 'like', link_url: '/notifications' }, { headers: { 'hx-request': 'true' } })
  t.equal(res.statusCode, 200, 'htmx post')
  t.match(res.body, /Sent to <strong>2<\/strong> users\./)
  t.match(res.body, /id="admin-send"/, 'the card htmx swaps')
  t.match((await a.client.next('notification')).notification, { title: 'Two', kind: 'like', link_url: '/notifications' })
  t.equal((await b.client.next('notification')).notification.title, 'Two')
  t.same(await c.client.since(marks[0]!, 100), [], 'carol got nothing')

  res = await adm.post('/admin/notifications', { target: 'all', title: 'Everyone' })
  t.match(res.body, /goes to <strong>4<\/strong> users at once/, 'everyone: first how many it reaches (admin included)')
  t.equal(await rows(), 3, 'nothing sent before it is confirmed')
  res = await adm.post('/admin/notifications', { target: 'all', title: 'Everyone', confirmed: '1' })
  t.match(res.body, /Sent to <strong>4<\/strong> users\./, 'everyone, admin included')
  for (const client of [a, b, c]) t.equal((await client.client.next((f) => f.type === 'notification' && f.notification.title === 'Everyone')).notification.title, 'Everyone')
  const total = await rows()
  t.equal(total, 7)

  const bad: Array<[Record<string, string>, string, RegExp]> = [
    [{ target: 'user', usernames: 'alice bob', title: 'x' }, 'usernames', /Give exactly one username/],
    [{ target: 'users', usernames: 'alice, nobody', title: 'x' }, 'usernames', /Unknown user: nobody/],
    [{ target: 'users', usernames: '', title: 'x' }, 'usernames', /Name at least one user/],
    [{ target: 'nobody', title: 'x' }, 'usernames', /Choose who gets it/],
    [{ target: 'all', title: '   ' }, 'title', /A title is required/],
    [{ target: 'all', title: 'x', link_url: 'javascript:alert(1)' }, 'link_url', /A path like \/blog/],
    [{ target: 'all', title: 'x', kind: 'spam' }, 'kind', /One of comment/],
  ]
  const beforeBad = a.client.mark()
  for (const [form, field, message] of bad) {
    res = await adm.post('/admin/notifications', form)
    t.equal(res.statusCode, 422, `${JSON.stringify(form)}: 422`)
    t.match(res.body, new RegExp(`<p class="field-error" id="${field}-error">${message.source}`), `message next to ${field}`)
    t.notMatch(res.body, /Sent to/)
  }
  res = await adm.post('/admin/notifications', { target: 'users', usernames: 'alice, <b>x</b>', title: '<i>t</i>' })
  t.match(res.body, /value="alice, &lt;b&gt;x&lt;\/b&gt;"/, 'typed values come back escaped')
  t.equal(await rows(), total, 'no bad submission created anything')
  t.same(await a.client.since(beforeBad, 100, 'notification'), [], 'and nothing was pushed')
  for (const client of [a, b, c]) await client.client.close()
})
