/** Inbox state over HTTP and sockets: archive, unarchive, snooze, unsnooze, filters, notification_state on every tab. */
import t from 'tap'
import { bearer, connectReady, type TestUser } from '../helper.js'
import { liveSite } from '../realtime/fixtures/live.js'

const HOUR = 3600_000
const iso = (ms: number) => new Date(ms).toISOString()

t.test('archive, unarchive, snooze, unsnooze over HTTP: every tab of the owner gets notification_state, bob nothing', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const [a1, a2] = (await s.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'comment', title: 'c', thread: 'post:4' })).ids as [number, number]
  const [b1] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'b' })).ids as [number]
  const tab1 = await connectReady(url, { token: alice.token })
  const tab2 = await connectReady(url, { token: alice.token })
  const bSock = await connectReady(url, { token: bob.token })
  const post = (path: string, user: TestUser = alice, payload?: unknown) => s.app.inject({ method: 'POST', url: path, headers: bearer(user), payload: payload as object })
  const list = async (query = '') => (await s.app.inject({ method: 'GET', url: `/api/notifications${query}`, headers: bearer(alice) })).json()

  const bobMark = bSock.client.mark()
  let res = await post(`/api/notifications/${a1}/archive`)
  t.equal(res.statusCode, 200)
  t.same(res.json(), { unread_count: 1, unread_messages_count: 0 }, 'done implies read')
  for (const tab of [tab1, tab2]) {
    t.match(await tab.client.next('notification_state'), { ids: [a1], archived: true, read: true, unread_count: 1, unread_messages_count: 0 }, 'each tab')
  }
  t.same((await list()).notifications.map((n: any) => n.id), [a2], 'out of the inbox')
  t.match((await list('?status=archived')).notifications, [{ id: a1, archived: true, read: true, category: 'blog', thread: 'post:4' }], 'in the archived view')

  res = await post(`/api/notifications/${a1}/unarchive`)
  t.same(res.json(), { unread_count: 1, unread_messages_count: 0 })
  for (const tab of [tab1, tab2]) t.match(await tab.client.next('notification_state'), { ids: [a1], archived: false })
  t.same((await list()).notifications.map((n: any) => n.id), [a2, a1], 'back in the inbox')

  const until = Date.now() + HOUR
  res = await post(`/api/notifications/${a2}/snooze`, alice, { until: iso(until) })
  t.same(res.json(), { unread_count: 0, unread_messages_count: 0 }, 'a snoozed row is not counted')
  for (const tab of [tab1, tab2]) t.match(await tab.client.next('notification_state'), { ids: [a2], snoozed_until: iso(until), unread_count: 0 })
  t.same((await list()).notifications.map((n: any) => n.id), [a1])
  t.match((await list('?status=snoozed')).notifications, [{ id: a2, snoozed_until: iso(until) }])

  res = await post(`/api/notifications/${a2}/unsnooze`)
  t.same(res.json(), { unread_count: 1, unread_messages_count: 0 }, 'back unread')
  for (const tab of [tab1, tab2]) t.match(await tab.client.next('notification_state'), { ids: [a2], snoozed_until: null, read: false, unread_count: 1 })
  t.same(await bSock.client.since(bobMark, 150), [], 'bob got nothing')

  // Bad input changes nothing and pushes nothing.
  const marks = [tab1.client.mark(), bSock.client.mark()] as const
  for (const path of ['archive', 'unarchive', 'unsnooze']) {
    res = await post(`/api/notifications/${b1}/${path}`)
    t.equal(res.statusCode, 404, `${path} of bob's: 404`)
    t.same(res.json(), { error: 'not_found', message: `You have no notification ${b1}` })
  }
  res = await post(`/api/notifications/${b1}/snooze`, alice, { until: iso(Date.now() + HOUR) })
  t.equal(res.statusCode, 404, "snoozing bob's: 404")
  for (const [until, message] of [
    [iso(Date.now() - 1000), 'until must be in the future'],
    [iso(Date.now() + 31 * 24 * HOUR), 'until must be at most 30 days from now'],
    ['tomorrow', 'until must be a date and time'],
    ['2026-13-45T99:00:00Z', 'until must be a date and time'],
  ] as const) {
    res = await post(`/api/notifications/${a1}/snooze`, alice, { until })
    t.equal(res.statusCode, 400, `${until}: 400`)
    t.match(res.json(), { error: 'invalid', fields: { until: message } })
  }
  res = await post(`/api/notifications/${a1}/snooze`, alice, {})
  t.equal(res.statusCode, 400, 'no until: 400')
  t.same((await s.app.notifications.get(alice.id, a1)).snoozed_until, null, 'nothing changed')
  t.equal((await s.app.notifications.get(bob.id, b1)).archived, false, "bob's row unchanged")
  t.same(await tab1.client.since(marks[0], 150), [], 'alice got nothing for refused changes')
  t.same(await bSock.client.since(marks[1], 0), [], 'bob got nothing')
})

t.test('socket frames archive / unarchive / snooze / unsnooze; mark_read keeps count_update and adds notification_state', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const [a1, a2] = (await s.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'system', title: 'x' })).ids as [number, number]
  const [b1] = (await s.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'b' })).ids as [number]
  const tab1 = await connectReady(url, { token: alice.token })
  const tab2 = await connectReady(url, { token: alice.token })
  const bSock = await connectReady(url, { token: bob.token })
  const bobMark = bSock.client.mark()

  tab1.client.send({ type: 'archive', id: a1 })
  for (const tab of [tab1, tab2]) t.match(await tab.client.next('notification_state'), { ids: [a1], archived: true, unread_count: 1 })
  tab2.client.send({ type: 'unarchive', id: a1 })
  for (const tab of [tab1, tab2]) t.match(await tab.client.next('notification_state'), { ids: [a1], archived: false })
  const until = iso(Date.now() + HOUR)
  tab1.client.send({ type: 'snooze', id: a2, until })
  for (const tab of [tab1, tab2]) t.match(await tab.client.next('notification_state'), { ids: [a2], snoozed_until: until, unread_count: 0 })
  tab1.client.send({ type: 'unsnooze', id: a2 })
  for (const tab of [tab1, tab2]) t.match(await tab.client.next('notification_state'), { ids: [a2], snoozed_until: null, read: false, unread_count: 1 })

  tab2.client.send({ type: 'mark_read', id: a2 })
  for (const tab of [tab1, tab2]) {
    t.match(await tab.client.next('count_update'), { unread_count: 0 }, 'count_update still comes')
    t.match(await tab.client.next('notification_state'), { ids: [a2], read: true, unread_count: 0 })
  }
  await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'y' })
  await tab1.client.next('notification')
  tab1.client.send({ type: 'mark_all_read' })
  for (const tab of [tab1, tab2]) t.match(await tab.client.next('notification_state'), { all: true, read: true, unread_count: 0 })
  t.same(await bSock.client.since(bobMark, 150), [], 'bob got nothing')

  const marks = [tab1.client.mark(), tab2.client.mark(), bSock.client.mark()] as const
  tab1.client.send({ type: 'archive', id: b1 })
  t.match(await tab1.client.next('error'), { code: 'forbidden' }, "bob's row: error frame")
  tab1.client.send({ type: 'snooze', id: a1, until: iso(Date.now() - 1000) })
  t.match(await tab1.client.next('error'), { code: 'invalid', message: /until must be in the future/ })
  tab1.client.send({ type: 'snooze', id: a1 })
  t.match(await tab1.client.next('error'), { code: 'invalid' }, 'no until')
  tab1.client.send({ type: 'archive', id: 'x' })
  t.match(await tab1.client.next('error'), { code: 'invalid' })
  t.same((await tab1.client.since(marks[0], 150)).filter((f) => f.type !== 'error'), [], 'nothing but errors to the sender')
  t.same(await tab2.client.since(marks[1], 0), [], 'the other tab got nothing')
  t.same(await bSock.client.since(marks[2], 0), [], 'bob got nothing')
  t.equal((await s.app.notifications.get(bob.id, b1)).archived, false)
})

t.test('status and category filters, unread_by_category', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const make = async (kind: 'comment' | 'invoice_paid' | 'friend_request' | 'system', user = alice) =>
    (await s.app.notifications.notify({ userIds: [user.id] }, { kind, title: kind })).ids[0]!
  const c = await make('comment')
  const inv = await make('invoice_paid')
  const fr = await make('friend_request')
  const sys = await make('system')
  const sys2 = await make('system')
  await make('comment', bob)
  await s.app.notifications.markRead(alice.id, sys)
  await s.app.notifications.archive(alice.id, inv)
  await s.app.notifications.snooze(alice.id, fr, Date.now() + HOUR)
  const get = async (query: string) => {
    const res = await s.app.inject({ method: 'GET', url: `/api/notifications${query}`, headers: bearer(alice) })
    t.equal(res.statusCode, 200, query)
    return res.json()
  }
  const ids = async (query: string) => (await get(query)).notifications.map((n: any) => n.id)
  t.same(await ids(''), [sys2, sys, c], 'default: neither archived nor snoozed')
  t.same(await ids('?status=unread'), [sys2, c])
  t.same(await ids('?unread=1'), [sys2, c])
  t.same(await ids('?status=read'), [sys])
  t.same(await ids('?status=archived'), [inv])
  t.same(await ids('?status=snoozed'), [fr])
  t.same(await ids('?category=blog'), [c], "never bob's")
  t.same(await ids('?category=billing'), [], 'archived is not in the inbox')
  t.same(await ids('?category=billing&status=archived'), [inv])
  t.same(await ids('?category=system&status=unread'), [sys2])
  t.same(await ids(`?category=system&before=${sys2}`), [sys])
  t.same(await ids('?category=social&status=snoozed'), [fr])
  const body = await get('?status=unread')
  t.same(body.unread_by_category, { blog: 1, billing: 0, social: 0, system: 1 })
  t.equal(body.unread_count, 2)
  for (const bad of ['status=new', 'category=shop', 'status=', 'category=Blog']) {
    const res = await s.app.inject({ method: 'GET', url: `/api/notifications?${bad}`, headers: bearer(alice) })
    t.equal(res.statusCode, 400, `${bad}: 400`)
  }
})
