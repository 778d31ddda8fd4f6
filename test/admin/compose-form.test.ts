/**
 * The admin form (issue 11 item 10): sending to everyone first says how many users it
 * reaches; each render carries an Idempotency-Key, so a double click (or a retry) sends
 * once; the form is empty after a send; a preview of the toast from the same partial.
 */
import t from 'tap'
import { notifications } from '../../src/db/schema.js'
import { bearer, Browser, buildTestApp, connectReady, createUser } from '../helper.js'

const keyOf = (html: string) => /name="idempotency_key" value="([^"]+)"/.exec(html)?.[1]

t.test('everyone: how many it reaches (inbox-off users left out) before anything is sent', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  await createUser(s.app)
  await s.app.inject({ method: 'PUT', url: '/api/preferences', headers: bearer(alice), payload: { kinds: { like: { inbox: false, toast: false, desktop: false } } } })
  const rows = async () => (await s.app.db.select().from(notifications)).length
  const b = await new Browser(s.app).login(admin.username, admin.password)
  await b.get('/admin/notifications')
  let res = await b.post('/admin/notifications', { target: 'all', title: 'Hello all', kind: 'system' })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h2 id="confirm-title">Send to everyone\?<\/h2>/)
  t.match(res.body, /“Hello all” goes to <strong>3<\/strong> users at once/)
  t.match(res.body, /<input type="hidden" name="confirmed" value="1">/)
  t.match(res.body, /<input type="hidden" name="title" value="Hello all">/, 'the confirmation carries the form')
  t.match(res.body, /<button type="submit" autofocus>Send to 3 users<\/button>/)
  t.equal(await rows(), 0, 'nothing sent yet')
  res = await b.post('/admin/notifications', { target: 'all', title: 'Likes', kind: 'like' })
  t.match(res.body, /goes to <strong>2<\/strong> users/, 'alice keeps likes out of her inbox: not counted')
  res = await b.post('/admin/notifications', { target: 'all', title: 'Likes', kind: 'like', confirmed: '1', idempotency_key: keyOf(res.body)! })
  t.match(res.body, /Sent to <strong>2<\/strong> users/)
  t.equal(await rows(), 2)
})

t.test('a double click sends once: the same key and form answer the first send; the form is empty after it', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app, { username: 'alice_c' })
  const bob = await createUser(s.app)
  const a = await connectReady(url, { token: alice.token })
  const bc = await connectReady(url, { token: bob.token })
  t.teardown(() => Promise.all([a.client.close(), bc.client.close()]))
  const b = await new Browser(s.app).login(admin.username, admin.password)
  const page = await b.get('/admin/notifications')
  const key = keyOf(page.body)!
  t.match(key, /^[0-9a-f-]{36}$/, 'a key per render')
  t.not(keyOf((await b.get('/admin/notifications')).body), key, 'another render, another key')

  const form = { target: 'user', usernames: 'alice_c', title: 'Once', message: 'only once', kind: 'system', idempotency_key: key }
  const [ma, mb] = [a.client.mark(), bc.client.mark()]
  const [first, second] = await Promise.all([b.post('/admin/notifications', form), b.post('/admin/notifications', form)])
  for (const res of [first, second]) {
    t.equal(res.statusCode, 200)
    t.match(res.body, /Sent to <strong>1<\/strong> user\./, 'both answers say what was sent')
    t.match(res.body, /<input name="title" required maxlength="200" value="">/, 'the form is empty again')
    t.notMatch(res.body, /only once<\/textarea>/)
    t.not(keyOf(res.body), key, 'with a new key')
  }
  t.equal((await a.client.since(ma, 150, 'notification', 1)).length, 1, 'alice got it once')
  t.same(await bc.client.since(mb, 0), [], 'bob got nothing')
  t.equal((await s.app.db.select().from(notifications)).length, 1)

  const reused = await b.post('/admin/notifications', { ...form, title: 'Changed' })
  t.equal(reused.statusCode, 422, 'the same key with other contents')
  t.match(reused.body, /<p class="field-error" id="form-error">This form was already sent with other contents/)
  const damaged = await b.post('/admin/notifications', { ...form, idempotency_key: 'x'.repeat(256) })
  t.equal(damaged.statusCode, 422)
  t.equal((await s.app.db.select().from(notifications)).length, 1, 'neither sent anything')
})

t.test('the live preview: the toast partial from what the form holds, escaped, no dismiss button', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const b = await new Browser(s.app).login(admin.username, admin.password)
  const page = await b.get('/admin/notifications')
  t.match(page.body, /<div id="toast-preview" class="toast-preview">\s*<div class="toast toast-system"[\s\S]*?<strong class="toast-title">Your title<\/strong>/, 'a preview from the first render')
  t.match(page.body, /hx-post="\/admin\/notifications\/preview" hx-trigger="input delay:300ms, change" hx-include="closest form" hx-target="#toast-preview"/)
  const res = await s.app.inject({
    method: 'POST',
    url: '/admin/notifications/preview',
    headers: { cookie: b.cookieHeader, 'x-csrf-token': b.csrf, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ title: 'Maintenance <tonight>', message: 'Back at 2', kind: 'invoice_overdue', link_url: 'javascript:x', link_text: 'Read' }).toString(),
  })
  t.equal(res.statusCode, 200)
  t.match(res.body, /^\s*<div class="toast toast-invoice_overdue"/)
  t.match(res.body, '<strong class="toast-title">Maintenance &lt;tonight&gt;</strong>')
  t.match(res.body, '<p class="toast-message">Back at 2</p>')
  t.match(res.body, /icon-alert/, "the kind's icon")
  t.notMatch(res.body, /javascript:/, 'an unsafe link is not previewed')
  t.notMatch(res.body, /toast-close/, 'nothing to dismiss')
  t.equal((await s.app.db.select().from(notifications)).length, 0, 'a preview sends nothing')
  const other = await new Browser(s.app).login(alice.username, alice.password)
  t.equal((await other.post('/admin/notifications/preview', { title: 'x' })).statusCode, 403, 'admins only')
})
