/**
 * A row's and toast's controls as the page sends them (public/inbox.js: cookie, CSRF header,
 * Accept: application/json) and as forms without script (redirect back to the view): done and
 * back, snooze (presets and a wall-clock time in the browser's zone) and back, mute the thread,
 * and one row as a view shows it. Another user's id is 404 and changes nothing; bob hears nothing.
 */
import t from 'tap'
import { Browser, connectReady } from '../helper.js'
import { liveSite } from '../realtime/fixtures/live.js'
import { snoozePresets, zonedInstant } from '../../src/domains/notifications/inbox-rules.js'

const JSON_ACCEPT = { accept: 'application/json' }

t.test('done, undo, snooze, unsnooze from the page: JSON for the script, a redirect without; 404 for bob\'s; bob hears nothing', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const [a1, a2] = (await s.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'comment', title: 'c', thread: 'post:1' } as never)).ids
  const [bobs] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'b' })).ids
  const b = await new Browser(s.app).login(alice.username, alice.password)
  await b.get('/notifications')
  const tab = await connectReady(url, { token: alice.token })
  const other = await connectReady(url, { token: bob.token })
  const bobMark = other.client.mark()
  const get = async (id: number) => s.app.notifications.get(alice.id, id)

  let res = await b.post(`/notifications/${a1}/archive`, {}, { csrf: false, headers: { ...JSON_ACCEPT, 'x-csrf-token': b.csrf } })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { unread_count: 1, unread_messages_count: 0 }, 'done implies read: the counts')
  t.match(await tab.client.next('notification_state'), { ids: [a1], archived: true, read: true })
  t.ok((await get(a1!)).archived && (await get(a1!)).read)

  res = await b.post(`/notifications/${a1}/unarchive`, {}, { csrf: false, headers: { ...JSON_ACCEPT, 'x-csrf-token': b.csrf } })
  t.equal(res.statusCode, 200, 'undo')
  t.match(await tab.client.next('notification_state'), { ids: [a1], archived: false })
  t.equal((await get(a1!)).archived, false, 'back in the inbox (still read)')

  res = await b.post(`/notifications/${a1}/archive`, { category: 'blog' })
  t.equal(res.statusCode, 303, 'a form without script')
  t.equal(res.headers.location, '/notifications?category=blog', 'back to its view')
  res = await b.post(`/notifications/${a1}/archive`, {}, { csrf: false })
  t.equal(res.statusCode, 403, 'no CSRF token: refused')

  // Snooze: a wall-clock time in the browser's zone, and a preset.
  const tomorrow = new Date(Date.now() + 86_400_000)
  const local = `${tomorrow.toISOString().slice(0, 10)}T09:30`
  res = await b.post(`/notifications/${a2}/snooze`, { preset: 'at', local, time_zone: 'Asia/Kolkata' }, { headers: JSON_ACCEPT })
  t.equal(res.statusCode, 200)
  const [y, m, d] = local.slice(0, 10).split('-').map(Number) as [number, number, number]
  const expected = new Date(zonedInstant('Asia/Kolkata', y, m, d, 9, 30)).toISOString()
  t.equal(res.json().snoozed_until, expected, '09:30 in Kolkata')
  t.match(await tab.client.next((f) => f.type === 'notification_state' && f.ids?.[0] === a2), { snoozed_until: expected, read: true })
  const before = Date.now()
  res = await b.post(`/notifications/${a2}/snooze`, { preset: 'tomorrow', time_zone: 'America/New_York' }, { headers: JSON_ACCEPT })
  const presets = [snoozePresets(before, 'America/New_York').tomorrow, snoozePresets(Date.now(), 'America/New_York').tomorrow]
  t.ok(presets.includes(Date.parse(res.json().snoozed_until)), 'tomorrow 09:00 in New York')

  // Refused: the server's message for the page to show next to the menu; nothing changes.
  const snoozedUntil = (await get(a2!)).snoozed_until
  for (const [form, field, message] of [
    [{ preset: 'at', local: '2020-01-01T09:00', time_zone: 'UTC' }, 'until', /in the future/],
    [{ preset: 'at', local: new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 16), time_zone: 'UTC' }, 'until', /30 days/],
    [{ preset: 'at', local: 'soon', time_zone: 'UTC' }, 'until', /date and a time/],
    [{ preset: 'hour', time_zone: 'Mars/Olympus' }, 'time_zone', /Unknown time zone/],
  ] as const) {
    res = await b.post(`/notifications/${a2}/snooze`, form, { headers: JSON_ACCEPT })
    t.equal(res.statusCode, 400, `${JSON.stringify(form)}: 400`)
    t.match(res.json().fields[field], message)
  }
  t.equal((await get(a2!)).snoozed_until, snoozedUntil, 'refused snoozes changed nothing')

  res = await b.post(`/notifications/${a2}/unsnooze`, {}, { headers: JSON_ACCEPT })
  t.equal(res.statusCode, 200)
  t.same([(await get(a2!)).snoozed_until, (await get(a2!)).read], [null, false], 'back now, unread')

  await tab.client.settle(150)
  const aliceMark = tab.client.mark()
  for (const action of ['archive', 'unarchive', 'unsnooze', 'read']) {
    res = await b.post(`/notifications/${bobs}/${action}`, {}, { headers: JSON_ACCEPT })
    t.equal(res.statusCode, 404, `${action} bob's: 404`)
  }
  res = await b.post(`/notifications/${bobs}/snooze`, { preset: 'hour', time_zone: 'UTC' }, { headers: JSON_ACCEPT })
  t.equal(res.statusCode, 404, "snooze bob's: 404")
  const bobsRow = await s.app.notifications.get(bob.id, bobs!)
  t.same([bobsRow.read, bobsRow.archived, bobsRow.snoozed_until], [false, false, null], "bob's row is untouched")
  t.same(await tab.client.since(aliceMark, 150), [], 'refused actions push nothing')
  t.same(await other.client.since(bobMark, 0), [], 'bob heard nothing of it all')
  for (const c of [tab, other]) await c.client.close()
})

t.test('mute from a row: the notification\'s thread, for 8 hours, a week or until unmuted; nothing to mute: 400; bob\'s: 404', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  s.app.notifications.mutes.allow('post', async () => true)
  const [withThread] = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'comment', title: 'c', thread: 'post:7' } as never)).ids
  const [without] = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 's' })).ids
  const [bobs] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'comment', title: 'b', thread: 'post:9' } as never)).ids
  const b = await new Browser(s.app).login(alice.username, alice.password)
  await b.get('/notifications')

  const page = await b.get('/notifications')
  t.match(page.body, new RegExp(`action="/notifications/${withThread}/mute"[^>]*data-noun="post"><input type="hidden" name="_csrf"[^>]*>\\s*<p class="menu-title">Mute this post</p>`), 'the row offers "Mute this post"')
  t.notMatch(page.body, new RegExp(`/notifications/${without}/mute`), 'no mute without a thread')

  const start = Date.now()
  let res = await b.post(`/notifications/${withThread}/mute`, { for: '8h' }, { headers: JSON_ACCEPT })
  t.equal(res.statusCode, 200)
  t.equal(res.json().thread, 'post:7')
  const until = Date.parse(res.json().until)
  t.ok(until >= start + 8 * 3600_000 && until <= Date.now() + 8 * 3600_000, 'until in 8 hours')
  res = await b.post(`/notifications/${withThread}/mute`, { for: 'forever' }, { headers: JSON_ACCEPT })
  t.same(res.json(), { thread: 'post:7', until: null }, 'until unmuted')
  t.same((await b.json('GET', '/api/mutes')).json(), { mutes: [{ thread: 'post:7', until: null }] }, 'listed by the mutes API')
  res = await b.post(`/notifications/${withThread}/mute`, { for: 'week' })
  t.equal(res.statusCode, 303, 'without script: back to the inbox')

  res = await b.post(`/notifications/${without}/mute`, { for: 'week' }, { headers: JSON_ACCEPT })
  t.equal(res.statusCode, 400, 'nothing to mute')
  res = await b.post(`/notifications/${bobs}/mute`, { for: 'week' }, { headers: JSON_ACCEPT })
  t.equal(res.statusCode, 404, "bob's notification: 404 (its thread is not revealed)")
  res = await b.post(`/notifications/${withThread}/mute`, { for: 'year' }, { headers: JSON_ACCEPT })
  t.equal(res.statusCode, 400, 'an unknown duration')
  t.same(await s.app.notifications.mutes.list(bob.id), [], 'bob muted nothing')
})

t.test('one row as a view shows it: 200 with the row when it is in the view, 204 when not, 404 for bob\'s', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const [blog, billing] = [
    (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'comment', title: 'c' } as never)).ids[0]!,
    (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'invoice_paid', title: 'p' } as never)).ids[0]!,
  ]
  const [bobs] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'b' })).ids
  await s.app.notifications.archive(alice.id, billing)
  const b = await new Browser(s.app).login(alice.username, alice.password)
  const row = (id: number, query = '') => b.get(`/notifications/${id}/row${query}`)

  let res = await row(blog)
  t.equal(res.statusCode, 200)
  t.match(res.body, new RegExp(`^\\s*<li id="notification-${blog}" class="notification unread kind-comment" data-category="blog">`), 'the row')
  t.notMatch(res.body, /hx-swap-oob/, 'not out of band')
  t.equal((await row(blog, '?category=billing')).statusCode, 204, 'not in Billing')
  t.equal((await row(billing)).statusCode, 204, 'a done row is not in the inbox')
  t.equal((await row(billing, '?status=archived')).statusCode, 200, 'it is in Archived')
  t.equal((await row(blog, '?status=archived')).statusCode, 204)
  t.equal((await row(bobs!)).statusCode, 404, "bob's: 404")
  res = await s.app.inject({ method: 'GET', url: `/notifications/${blog}/row` })
  t.equal(res.statusCode, 302, 'anonymous: to the login')
})
