/**
 * /settings/notifications: the preferences form (per kind channels, system locked on,
 * quiet hours with a time zone, self-caused), field errors with nothing saved, a success
 * message; the mutes list in words with Unmute.
 */
import t from 'tap'
import { Browser, buildTestApp, createUser } from '../helper.js'
import { draftOf, seedBusiness } from '../billing/fixtures/seed.js'
import { createPost } from '../blog/fixtures/blog.js'
import { befriend } from '../social/fixtures/social.js'

const allOn = { inbox: true, toast: true, desktop: true }

/** Every box ticked, as the page renders by default, then `change` on top. */
function form(change: Record<string, string | undefined> = {}) {
  const body: Record<string, string> = { self_caused: '1', quiet_start: '22:00', quiet_end: '07:00', time_zone: '' }
  for (const k of ['comment', 'like', 'friend_request', 'friend_accepted', 'new_message', 'invoice_created', 'invoice_paid', 'invoice_overdue']) {
    for (const c of ['inbox', 'toast', 'desktop']) body[`${k}.${c}`] = '1'
  }
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete body[k]
    else body[k] = v
  }
  return body
}

t.test('the page: every kind with three boxes, system locked on, linked from the nav and the inbox; login required', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  t.equal((await s.app.inject({ method: 'GET', url: '/settings/notifications' })).statusCode, 302, 'anonymous: to the login')
  const b = await new Browser(s.app).login(alice.username, alice.password)
  const page = await b.get('/settings/notifications')
  t.equal(page.statusCode, 200)
  t.equal(page.body.match(/<input type="checkbox" name="[a-z_]+\.(inbox|toast|desktop)"/g)?.length, 27, 'nine kinds, three channels')
  t.match(page.body, /name="system\.inbox"[^>]*checked disabled/, 'system: checked and locked')
  t.match(page.body, /name="comment\.toast" value="1" id="comment-toast" aria-label="Comments on your posts: as a toast" checked>/)
  t.match(page.body, /<select id="time_zone" name="time_zone" data-browser-zone>\s*<option value="" selected>Choose your time zone/, 'no zone yet: the script picks the browser one')
  t.match(page.body, /<option>Asia\/Kolkata<\/option>/)
  t.match(page.body, /id="toast-seconds"/, 'the toast duration lives here')
  t.match(page.body, /<a href="\/settings\/notifications" aria-current="page">Settings<\/a>/, 'in the nav menu')
  t.match((await b.get('/notifications')).body, /<a href="\/settings\/notifications">Settings<\/a>/, 'linked from the inbox')
  t.match(page.body, /Nothing is muted/)
})

t.test('saving: what is unticked is off, quiet hours in a zone, self-caused; a success message', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const b = await new Browser(s.app).login(alice.username, alice.password)
  await b.get('/settings/notifications')
  const res = await b.post('/settings/notifications', form({ 'like.toast': undefined, 'like.desktop': undefined, 'new_message.inbox': undefined, quiet_on: '1', time_zone: 'Asia/Kolkata', self_caused: undefined, 'system.toast': undefined }))
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/settings/notifications?saved=1')
  const prefs = await s.app.notifications.preferences.get(alice.id)
  t.same(prefs.kinds.like, { inbox: true, toast: false, desktop: false })
  t.same(prefs.kinds.new_message, { inbox: false, toast: true, desktop: true })
  t.same(prefs.kinds.system, allOn, 'system cannot be turned off (its boxes are not even sent)')
  t.same(prefs.kinds.comment, allOn)
  t.same(prefs.quiet_hours, { start: '22:00', end: '07:00', time_zone: 'Asia/Kolkata' })
  t.equal(prefs.self_caused, false)
  t.same((await s.app.notifications.preferences.get(bob.id)).kinds.like, allOn, "bob's are his own")
  const page = await b.get('/settings/notifications?saved=1')
  t.match(page.body, /role="status">Your notification settings are saved/)
  t.match(page.body, /name="like\.toast" value="1" id="like-toast" aria-label="[^"]+">/, 'shown off')
  t.match(page.body, /<option selected>Asia\/Kolkata<\/option>/)
  t.notMatch(page.body, /name="self_caused" value="1" checked/)

  // Quiet hours off again.
  await b.post('/settings/notifications', form())
  t.equal((await s.app.notifications.preferences.get(alice.id)).quiet_hours, null)
})

t.test('bad input: a message on each wrong field, 422, nothing saved, what was typed kept', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const b = await new Browser(s.app).login(alice.username, alice.password)
  await b.get('/settings/notifications')
  const before = await s.app.notifications.preferences.get(alice.id)
  for (const [change, field, message] of [
    [{ time_zone: 'Mars/Olympus_Mons' }, 'time_zone', /There is no time zone “Mars\/Olympus_Mons”/],
    [{ time_zone: '' }, 'time_zone', /Choose your time zone/],
    [{ quiet_start: '25:00', time_zone: 'UTC' }, 'quiet_start', /A time like 22:00/],
    [{ quiet_end: 'soon', time_zone: 'UTC' }, 'quiet_end', /A time like 07:00/],
    [{ quiet_start: '07:00', quiet_end: '07:00', time_zone: 'UTC' }, 'quiet_end', /must end at another time/],
  ] as const) {
    const res = await b.post('/settings/notifications', form({ ...change, quiet_on: '1', 'like.toast': undefined }))
    t.equal(res.statusCode, 422, JSON.stringify(change))
    t.match(res.body, new RegExp(`<p class="field-error" id="${field}-error">`))
    t.match(res.body, message)
    t.match(res.body, new RegExp(`id="${field}" name="${field}"[^>]*aria-invalid="true" aria-describedby="${field}-error"`))
    t.match(res.body, /Nothing was saved/)
    t.notMatch(res.body, /name="like\.toast" value="1" id="like-toast" aria-label="[^"]+" checked/, 'the unticked box stays unticked')
    t.same(await s.app.notifications.preferences.get(alice.id), before, 'nothing saved')
  }
  const xss = await b.post('/settings/notifications', form({ quiet_on: '1', time_zone: '<script>x</script>' }))
  t.notMatch(xss.body, /<script>x/, 'escaped')
  const noCsrf = await b.post('/settings/notifications', form(), { csrf: false })
  t.equal(noCsrf.statusCode, 403, 'a form without the CSRF token is refused')
})

t.test('mutes: listed in words with their end, Unmute removes only that one', async (t) => {
  let now = Date.parse('2026-08-01T10:00:00Z')
  const s = await buildTestApp({}, { now: () => now })
  t.teardown(() => s.close())
  const alice = await createUser(s.app, { username: 'alice_m' })
  const bob = await createUser(s.app, { username: 'bob_m' })
  const post = await createPost(s.app, bob, 'Hello <world>')
  await befriend(s.app, alice, bob)
  const conversation = await s.app.social.startConversation(alice.id, bob.id)
  const seeded = await seedBusiness(s.app, alice.id)
  const invoice = await s.app.billing.createInvoice(alice.id, draftOf(seeded.local.id, [{ productId: seeded.widget.id }], null), { issue: true })
  const until = now + 8 * 3600_000
  const mutes = s.app.notifications.mutes
  await mutes.mute(alice.id, `post:${post.id}`, until)
  await mutes.mute(alice.id, `invoice:${invoice.id}`, null)
  await mutes.mute(alice.id, `conversation:${conversation}`, null)
  await mutes.mute(alice.id, `user:${bob.id}`, null)
  await mutes.mute(bob.id, `post:${post.id}`, null)

  const b = await new Browser(s.app).login(alice.username, alice.password)
  const page = await b.get('/settings/notifications')
  const items = [...page.body.matchAll(/<li class="mute">([\s\S]*?)<\/li>/g)].map((m) => m[1]!)
  t.equal(items.length, 4, "alice's four, not bob's")
  const text = items.join('\n')
  t.match(text, '<strong>Post “Hello &lt;world&gt;”</strong>')
  t.match(text, new RegExp(`<strong>Invoice ${invoice.number} to Local Buyer</strong>`))
  t.match(text, '<strong>Conversation with @bob_m</strong>')
  t.match(text, '<strong>@bob_m</strong>')
  t.match(text, `<time datetime="${new Date(until).toISOString()}"`, 'until when, as a time')
  t.equal(text.match(/Until you unmute it/g)?.length, 3)

  const res = await b.post(`/settings/mutes/${encodeURIComponent(`post:${post.id}`)}/unmute`)
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/settings/notifications#mutes')
  t.same((await mutes.list(alice.id)).map((m) => m.thread).sort(), [`conversation:${conversation}`, `invoice:${invoice.id}`, `user:${bob.id}`].sort())
  t.equal((await mutes.list(bob.id)).length, 1, "bob's mute of the same post stays")
  t.equal((await b.post(`/settings/mutes/${encodeURIComponent(`post:${post.id}`)}/unmute`)).statusCode, 404, 'not muted (any more): 404')
})
