/** Preferences: per kind channels, quiet hours with a fixed clock and their summary, self-caused notifications. */
import t from 'tap'
import { adminNotify, bearer, connectReady, createUser } from '../helper.js'
import { liveSite } from '../realtime/fixtures/live.js'

const put = (app: any, user: { token: string }, payload: unknown) => app.inject({ method: 'PUT', url: '/api/preferences', headers: bearer(user), payload })

t.test('GET/PUT /api/preferences: defaults, stored kinds, bad input with field messages changes nothing', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  let res = await s.app.inject({ method: 'GET', url: '/api/preferences', headers: bearer(alice) })
  t.equal(res.statusCode, 200)
  const defaults = res.json()
  t.same(defaults.kinds.comment, { inbox: true, toast: true, desktop: true })
  t.equal(Object.keys(defaults.kinds).length, 9)
  t.same(defaults.quiet_hours, null)
  t.equal(defaults.self_caused, true)

  res = await put(s.app, alice, { kinds: { like: { inbox: false, toast: false, desktop: false } }, quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Asia/Kolkata' }, self_caused: false })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { kinds: { like: { inbox: false }, comment: { inbox: true } }, quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Asia/Kolkata' }, self_caused: false })
  const stored = res.json()

  for (const [body, field] of [
    [{ kinds: { poke: { inbox: true, toast: true, desktop: true } } }, 'kinds.poke'],
    [{ kinds: { system: { inbox: true, toast: false, desktop: true } } }, 'kinds.system'],
    [{ quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Mars/Olympus' } }, 'quiet_hours.time_zone'],
    [{ quiet_hours: { start: '25:00', end: '07:00', time_zone: 'UTC' } }, 'quiet_hours'],
  ] as const) {
    res = await put(s.app, alice, body)
    t.equal(res.statusCode, 400, field)
    t.match(res.json(), { error: 'invalid', fields: { [field]: String } })
  }
  res = await put(s.app, alice, { kinds: { like: { inbox: true } } })
  t.equal(res.statusCode, 400, 'a kind without all three channels')
  t.same(await s.app.notifications.preferences.get(alice.id), stored, 'nothing changed')
  t.same(await s.app.notifications.preferences.get(bob.id), defaults, "bob's are his own")
  res = await put(s.app, alice, { quiet_hours: null })
  t.same(res.json().quiet_hours, null, 'quiet hours off')
  t.equal((await s.app.inject({ method: 'PUT', url: '/api/preferences', payload: {} })).statusCode, 401)
})

t.test('inbox:false stores nothing for that user; toast/desktop:false store, count and push with alert off', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const admin = await createUser(s.app, { admin: true })
  await put(s.app, alice, { kinds: { comment: { inbox: false, toast: true, desktop: true }, like: { inbox: true, toast: false, desktop: false } } })
  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })

  let mark = a.client.mark()
  let res = await adminNotify(s.app, admin, { user_ids: [alice.id, bob.id], kind: 'comment', title: 'c', message: '' })
  t.equal(res.json().created, 1, 'only bob got a row')
  t.match(await b.client.next('notification'), { notification: { kind: 'comment' }, alert: { toast: true, desktop: true } })
  t.same(await a.client.since(mark, 150), [], 'alice got nothing')
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 0)

  res = await adminNotify(s.app, admin, { all: true, kind: 'comment', title: 'c', message: '' })
  t.equal(res.json().created, 2, 'a broadcast leaves her out too (bob and the admin)')
  await b.client.next('notification')
  t.same(await a.client.since(mark, 150), [], 'alice got nothing')

  mark = b.client.mark()
  res = await adminNotify(s.app, admin, { user_ids: [alice.id], kind: 'like', title: 'l', message: '' })
  t.equal(res.json().created, 1)
  t.match(await a.client.next('notification'), { notification: { kind: 'like' }, unread_count: 1, alert: { toast: false, desktop: false } }, 'stored, counted, shown nowhere')
  res = await adminNotify(s.app, admin, { user_ids: [alice.id], kind: 'system', title: 's', message: '' })
  t.match(await a.client.next('notification'), { notification: { kind: 'system' }, alert: { toast: true, desktop: true } })
  t.same(await b.client.since(mark, 150), [], 'bob got nothing')

  // Several recipients take the batch lookup: a channel row with the inbox on keeps its user in.
  res = await adminNotify(s.app, admin, { user_ids: [alice.id, bob.id], kind: 'like', title: 'l2', message: '' })
  t.equal(res.json().created, 2, 'her like channel (toast off, inbox on) does not leave her out')
  t.match(await a.client.next('notification'), { notification: { title: 'l2' }, alert: { toast: false, desktop: false } })
  t.match(await b.client.next('notification'), { notification: { title: 'l2' }, alert: { toast: true, desktop: true } })
})

t.test('self-caused notifications are on by default and can be turned off', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const input = { kind: 'invoice_created' as const, title: 'Invoice issued', selfCaused: true }
  t.equal((await s.app.notifications.notify({ userIds: [alice.id] }, input)).created, 1, 'on by default')
  await put(s.app, alice, { self_caused: false })
  t.equal((await s.app.notifications.notify({ userIds: [alice.id, bob.id] }, input)).created, 1, 'off for alice only')
  t.equal((await s.app.notifications.notify({ userIds: [alice.id] }, { ...input, selfCaused: false })).created, 1, 'caused by others still comes')
})

t.test('quiet hours with a fixed clock: nothing shows, everything counts, one summary when they end', async (t) => {
  const clock = { now: Date.parse('2026-01-26T23:00:00Z') }
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'], { snoozeCheckIntervalMs: 40 }, { now: () => clock.now })
  await put(s.app, alice, { quiet_hours: { start: '22:00', end: '07:00', time_zone: 'UTC' } })
  await put(s.app, bob, { quiet_hours: { start: '22:00', end: '07:00', time_zone: 'Asia/Kolkata' } })
  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const bMark = b.client.mark()
  for (let i = 0; i < 3; i++) {
    await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'comment', title: `c${i}` })
    t.match(await a.client.next('notification'), { unread_count: i + 1, alert: { toast: false, desktop: false } }, 'counted, not shown')
  }
  await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'sys' })
  t.match(await a.client.next('notification'), { alert: { toast: false, desktop: false } }, 'not even system during quiet hours')
  const aMark = a.client.mark()
  clock.now = Date.parse('2026-01-27T06:59:00Z')
  t.same(await a.client.since(aMark, 200, 'away_summary'), [], 'no summary before the end')
  clock.now = Date.parse('2026-01-27T07:00:00Z')
  t.match(await a.client.next('away_summary'), { count: 4, message: '4 notifications arrived while you were away', unread_count: 4 })
  await new Promise((r) => setTimeout(r, 200))
  t.equal(a.client.ofType('away_summary').length, 1, 'once')
  await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'comment', title: 'after' })
  t.match(await a.client.next('notification'), { alert: { toast: true, desktop: true } }, 'shown again after quiet hours')
  t.same(await b.client.since(bMark, 0), [], 'bob (quiet hours in his own zone) got nothing')
})
