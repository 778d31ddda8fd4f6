/** `initial` snapshot and `since=` replay: oldest first, none twice, none missing. */
import t from 'tap'
import { REPLAY_LIMIT } from '../../src/domains/notifications/service.js'
import { buildTestApp, connectReady, createUser, type Frame } from '../helper.js'
import { liveSite } from './fixtures/live.js'

const notifyOne = async (s: Awaited<ReturnType<typeof buildTestApp>>, userIds: number[], title: string) =>
  s.app.notifications.notify({ userIds }, { kind: 'system', title })

t.test('initial snapshot: counts, newest 10 newest first, last_id', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const ids: number[] = []
  for (let i = 1; i <= 12; i++) ids.push((await notifyOne(s, [alice.id], `n${i}`)).ids[0]!)
  await notifyOne(s, [bob.id], 'for bob')
  await s.app.notifications.markRead(alice.id, ids[0]!)

  const { client, initial } = await connectReady(url, { token: alice.token })
  t.equal(client.frames[0], initial, 'initial is the first frame')
  t.equal(initial.unread_count, 11)
  t.equal(initial.unread_messages_count, 0)
  t.equal(initial.last_id, ids[11], 'last_id: largest id of this user')
  t.equal(initial.replay_truncated, false)
  t.same(
    initial.recent_notifications.map((n: any) => n.id),
    ids.slice(2).reverse(),
    'newest 10, newest first',
  )
  t.match(initial.recent_notifications[0], {
    id: ids[11],
    kind: 'system',
    title: 'n12',
    message: '',
    link_url: null,
    link_text: null,
    icon: 'bell',
    actor: null,
    created_at: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    read: false,
  })
  t.match(initial.content, /id="notif-badge"[^>]*data-count="11"[^>]*hx-swap-oob="true"/, 'initial carries the badge fragment')
  await client.close()
})

t.test('since= replays what was missed while away, oldest first, none twice, none missing', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const b = await connectReady(url, { token: bob.token })

  // Online: two notifications arrive live.
  const first = await connectReady(url, { token: alice.token })
  const seen = [(await notifyOne(s, [alice.id], 'live 1')).ids[0]!, (await notifyOne(s, [alice.id], 'live 2')).ids[0]!]
  for (const id of seen) t.equal((await first.client.next('notification')).notification.id, id)
  await first.client.close()
  const lastSeen = seen[1]!

  // Away: some for alice alone, some shared with bob (through the HTTP API too), some for bob only.
  const missed: number[] = []
  missed.push((await notifyOne(s, [alice.id], 'away 1')).ids[0]!)
  await notifyOne(s, [bob.id], 'bob only')
  const shared = await notifyOne(s, [bob.id, alice.id], 'away shared')
  missed.push(shared.ids[1]!)
  const api = await s.app.inject({
    method: 'POST',
    url: '/api/notifications',
    headers: { authorization: `Bearer ${admin.token}` },
    payload: { usernames: [alice.username], title: 'away api', message: 'm' },
  })
  missed.push(api.json().ids[0])
  for (const id of (await s.app.notifications.notify({ all: true }, { kind: 'system', title: 'away broadcast' })).ids) {
    if ((await s.app.notifications.since(alice.id, id - 1)).notifications[0]?.id === id) missed.push(id)
  }
  await s.app.notifications.markRead(alice.id, missed[0]!)
  t.equal(missed.length, 4)

  const back = await connectReady(url, { token: alice.token, query: { since: String(lastSeen) } })
  t.equal(back.initial.replay_truncated, false)
  t.equal(back.initial.last_id, missed[3])
  t.equal(back.initial.unread_count, 5, 'two seen live + four missed - one read')
  const replayed = await back.client.since(0, 200, 'notification', missed.length)
  t.same(
    replayed.map((f: Frame) => f.notification.id),
    missed,
    'exactly the missed ones, oldest first',
  )
  t.same(replayed.map((f: Frame) => f.notification.read), [true, false, false, false], 'with their read state')
  t.ok(replayed.every((f: Frame) => f.unread_count === 5), 'each with the current count')
  t.same(back.client.frames.map((f) => f.type), ['initial', 'notification', 'notification', 'notification', 'notification'], 'initial first, nothing else')

  // Live pushes after the replay are not duplicated by it.
  const backMark = back.client.mark()
  const live = (await notifyOne(s, [alice.id], 'after')).ids[0]!
  t.ok(await back.client.next((f) => f.type === 'notification' && f.notification.id === live), 'a live push after the replay')
  t.equal(back.client.ofType('notification').length, 5, 'four replayed + one live')
  t.same((await back.client.since(backMark, 150)).map((f) => f.notification.id), [live], 'nothing twice')

  // Bob got his own notifications live and none of alice's.
  const bobIds = b.client.ofType('notification').map((f: Frame) => f.notification.id)
  t.ok(bobIds.length === 3 && bobIds.every((id: number) => !missed.includes(id) && !seen.includes(id) && id !== live), "bob got only his own rows")
  await back.client.close()
  await b.client.close()
})

t.test(`replay stops at ${REPLAY_LIMIT} with replay_truncated; the client continues from there`, async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'])
  const ids = (await s.app.notifications.notify({ userIds: Array(REPLAY_LIMIT + 5).fill(alice.id) }, { kind: 'system', title: 'bulk' })).ids
  t.equal(ids.length, REPLAY_LIMIT + 5)

  const first = await connectReady(url, { token: alice.token, query: { since: '0' } })
  t.equal(first.initial.replay_truncated, true)
  await first.client.next((f) => f.type === 'notification' && f.notification.id === ids[REPLAY_LIMIT - 1])
  await first.client.settle(100)
  const got = first.client.ofType('notification').map((f: Frame) => f.notification.id)
  t.same(got, ids.slice(0, REPLAY_LIMIT), `the oldest ${REPLAY_LIMIT}, in order`)
  await first.client.close()

  const rest = await connectReady(url, { token: alice.token, query: { since: String(got[got.length - 1]) } })
  t.equal(rest.initial.replay_truncated, false)
  t.same((await rest.client.since(0, 100, 'notification', 5)).map((f: Frame) => f.notification.id), ids.slice(REPLAY_LIMIT), 'the remaining ones')
  await rest.client.close()
})

t.test('a malformed since= is reported and replays nothing', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'])
  await notifyOne(s, [alice.id], 'x')
  const { client } = await connectReady(url, { token: alice.token, query: { since: 'abc' } })
  t.match(await client.next('error'), { code: 'invalid', message: /since/ })
  t.same(client.ofType('notification'), [])
  t.equal(client.closeCode, null, 'the socket stays open')
  await client.close()
})
