/**
 * A fan-out longer than one slice of batch reads: every online socket gets its own row
 * with its own counts and alert, once; offline users get nothing. Sockets are stand-ins
 * attached to the hub (no network), as in bench/micro.js.
 */
import t from 'tap'
import { IN_LIST } from '../../src/db/prepared.js'
import { buildTestApp } from '../helper.js'
import { fakeSocket } from '../realtime/fixtures/live.js'

t.test('a broadcast and a many-user notify reach every online socket of more than one slice correctly', async (t) => {
  // Noon UTC: inside 11:00-13:00.
  const s = await buildTestApp({}, { now: () => Date.UTC(2026, 0, 15, 12, 0) })
  t.teardown(() => s.close())
  const { notifications, hub } = s.app
  const users = (await s.app.accounts.loadUsers(IN_LIST + 40, 'slices')).map((u) => u.id)
  for (const [i, u] of users.entries()) if (i % 7 === 0) await notifications.notify({ userIds: [u] }, { kind: 'like', title: 'before' })
  await notifications.preferences.put(users[IN_LIST + 5]!, { kinds: { comment: { inbox: true, toast: false, desktop: true } } })
  await notifications.preferences.put(users[3]!, { quiet_hours: { start: '11:00', end: '13:00', time_zone: 'UTC' } })
  // Their pushes (to no socket yet) are delivered after the bus's turn: let them pass.
  await new Promise((r) => setTimeout(r, 100))

  const offline = new Set([users[10]!, users[IN_LIST + 10]!])
  const frames = new Map<number, string[][]>()
  const twice = users[IN_LIST + 1]!
  for (const u of users) {
    if (offline.has(u)) continue
    for (let k = 0; k < (u === twice ? 2 : 1); k++) {
      const got: string[] = []
      frames.set(u, [...(frames.get(u) ?? []), got])
      hub.add(fakeSocket((text) => got.push(text)), u, `s${u}-${k}`, Date.now() + 3600e3)
    }
  }
  const sockets = [...frames.values()].flat()
  const settled = async (n: number) => {
    for (let waited = 0; waited < 10_000 && sockets.some((f) => f.length < n); waited += 20) await new Promise((r) => setTimeout(r, 20))
  }
  const check = async (n: number, what: string) => {
    await settled(n)
    let wrong = 0
    for (const [u, got] of frames) {
      const newest = (await notifications.list(u, { limit: 1 }))[0]!
      const expected = { id: newest.id, ...(await notifications.counts(u)), alert: await notifications.alertOf(u, 'comment') }
      for (const f of got) {
        const frame = JSON.parse(f[n - 1] ?? '{}')
        if (f.length !== n || JSON.stringify({ id: frame.notification?.id, unread_count: frame.unread_count, unread_messages_count: frame.unread_messages_count, alert: frame.alert }) !== JSON.stringify(expected)) wrong++
      }
    }
    t.equal(wrong, 0, `${what}: every socket got its own row, counts and alert, once`)
  }

  await notifications.notify({ all: true }, { kind: 'comment', title: 'everyone' })
  await check(1, 'broadcast')
  await notifications.notify({ userIds: users }, { kind: 'comment', title: 'many' })
  await check(2, 'many-user notify')
  t.ok(sockets.length > IN_LIST + 30, `${sockets.length} sockets`)
  const sample = JSON.parse(frames.get(users[3]!)![0]![0]!)
  t.same(sample.alert, { toast: false, desktop: false }, 'in quiet hours: no alert')
  t.same(JSON.parse(frames.get(users[IN_LIST + 5]!)![0]![0]!).alert, { toast: false, desktop: true }, 'own channels, second slice')
  t.equal(JSON.parse(frames.get(users[7]!)![0]![0]!).unread_count, 2, 'one before and the broadcast')
  for (const u of offline) t.notOk(frames.has(u), 'offline: nothing')
  for (const u of offline) t.equal((await notifications.counts(u)).unread_count, 2, 'offline: the rows are there')
})

t.test("a broadcast's first slice of sockets has it before the next slice's rows are read", async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const { notifications, hub } = s.app
  const users = (await s.app.accounts.loadUsers(IN_LIST + 20, 'first')).map((u) => u.id)
  const arrived = new Map<number, number>()
  for (const u of users) hub.add(fakeSocket(() => arrived.set(u, arrived.size)), u, `s${u}`, Date.now() + 3600e3)

  // Each slice's rows are looked up 100 ms late; remember how many sockets had it by then.
  const reads: number[] = []
  const broadcastRowIds = notifications.broadcastRowIds.bind(notifications)
  notifications.broadcastRowIds = async (...args) => {
    reads.push(arrived.size)
    await new Promise((r) => setTimeout(r, 100))
    return broadcastRowIds(...args)
  }
  t.teardown(() => {
    notifications.broadcastRowIds = broadcastRowIds
  })

  await notifications.notify({ all: true }, { kind: 'system', title: 'everyone' })
  for (let waited = 0; waited < 5000 && arrived.size < users.length; waited += 20) await new Promise((r) => setTimeout(r, 20))
  t.equal(arrived.size, users.length, 'every socket got it')
  t.same(reads, [0, IN_LIST], `the second slice was read once the first slice's ${IN_LIST} sockets had it`)
})

t.test("a broadcast's reservations and its first slice's reads are separate turns of the event loop", async (t) => {
  // Reserving every online socket's place takes 10-35 ms for 19,000 in a busy server; the
  // first slice's reads and frames after it in the same turn made the broadcast's longest
  // event-loop block (bench/README.md).
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const { notifications, hub } = s.app
  const users = (await s.app.accounts.loadUsers(50, 'turns')).map((u) => u.id)
  let got = 0
  for (const u of users) hub.add(fakeSocket(() => got++), u, `s${u}`, Date.now() + 3600e3)

  let turn = 0
  let ticking = true
  const tick = () => {
    turn++
    if (ticking) setImmediate(tick)
  }
  tick()
  let reservedIn = -1
  const reserve = hub.reserve.bind(hub)
  hub.reserve = (client) => {
    reservedIn = turn
    return reserve(client)
  }
  const readsIn: number[] = []
  const broadcastRowIds = notifications.broadcastRowIds.bind(notifications)
  notifications.broadcastRowIds = async (...args) => {
    readsIn.push(turn)
    return broadcastRowIds(...args)
  }
  t.teardown(() => {
    ticking = false
    hub.reserve = reserve
    notifications.broadcastRowIds = broadcastRowIds
  })

  await notifications.notify({ all: true }, { kind: 'system', title: 'everyone' })
  for (let waited = 0; waited < 5000 && got < users.length; waited += 20) await new Promise((r) => setTimeout(r, 20))
  t.equal(got, users.length, 'every socket got it')
  t.equal(readsIn.length, 1, 'one slice')
  t.ok(reservedIn >= 0 && readsIn[0]! > reservedIn, `reserved in turn ${reservedIn}, read in turn ${readsIn[0]}`)
})
