/**
 * Snoozed notifications come back unread at their time as a `notification` frame
 * with `resurfaced: true`, once, whatever the processes and restarts: two apps on
 * one SQLite file and one bus, then a restart, with a controllable clock.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { createLocalBus, type BusHandler } from '../../src/realtime/bus.js'
import { bearer, buildTestApp, connectReady, createUser, type TestApp } from '../helper.js'

const HOUR = 3600_000
const TICK = 40

function site(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'snooze-wakeup-'))
  const databasePath = join(dir, 'app.db')
  const group = new Set<BusHandler>()
  const clock = { now: Date.now() }
  const apps: TestApp[] = []
  t.teardown(async () => {
    for (const a of apps) await a.close().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })
  return {
    clock,
    async start() {
      const a = await buildTestApp({ databasePath, snoozeCheckIntervalMs: TICK }, { bus: createLocalBus(group), now: () => clock.now })
      apps.push(a)
      await a.listen()
      return a
    },
  }
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms))

t.test('two processes: the due row comes back once, on every socket of the owner on both, bob gets nothing', async (t) => {
  const { clock, start } = site(t)
  const p1 = await start()
  const p2 = await start()
  const alice = await createUser(p1.app)
  const bob = await createUser(p1.app)
  const [id] = (await p1.app.notifications.notify({ userIds: [alice.id] }, { kind: 'comment', title: 'later', thread: 'post:1' })).ids as [number]
  await p1.app.notifications.notify({ userIds: [bob.id] }, { kind: 'system', title: 'b' })
  const on1 = await connectReady(p1.url, { token: alice.token })
  const on2 = await connectReady(p2.url, { token: alice.token })
  const bSock = await connectReady(p2.url, { token: bob.token })

  const until = clock.now + HOUR
  const res = await p2.app.inject({ method: 'POST', url: `/api/notifications/${id}/snooze`, headers: bearer(alice), payload: { until: new Date(until).toISOString() } })
  t.equal(res.statusCode, 200)
  for (const s of [on1, on2]) await s.client.next('notification_state')
  const marks = [on1.client.mark(), on2.client.mark(), bSock.client.mark()] as const

  clock.now = until - 1
  t.same(await on1.client.since(marks[0], TICK * 4, 'notification'), [], 'not before its time')
  clock.now = until
  for (const s of [on1, on2]) {
    const f = await s.client.next((f) => f.type === 'notification' && f.resurfaced === true)
    t.match(f, { notification: { id, read: false, snoozed_until: null, archived: false, thread: 'post:1' }, unread_count: 1, alert: { toast: true, desktop: true }, resurfaced: true })
    t.match(await s.client.next('notification_state'), { ids: [id], read: false, snoozed_until: null, unread_count: 1 })
  }
  await settle(TICK * 5)
  for (const [i, s] of [on1, on2].entries()) {
    t.equal((await s.client.since(marks[i], 0, 'notification')).length, 1, `socket ${i + 1}: exactly one resurfaced frame`)
  }
  t.same(await bSock.client.since(marks[2], 0), [], 'bob got nothing')
  t.equal(await p1.app.notifications.wakeSnoozed(clock.now + 1), 0, 'nothing left to wake')
  t.match(await p2.app.notifications.get(alice.id, id), { read: false, snoozed_until: null })
})

t.test('concurrent claims: of two processes waking the same rows, each row is woken by one', async (t) => {
  const { clock, start } = site(t)
  const p1 = await start()
  const p2 = await start()
  const alice = await createUser(p1.app)
  const ids = (await p1.app.notifications.notify({ userIds: Array(20).fill(alice.id) }, { kind: 'system', title: 'x' })).ids
  for (const id of ids) await p1.app.notifications.snooze(alice.id, id, clock.now + HOUR)
  const woken: number[] = []
  for (const p of [p1, p2, p1, p2]) woken.push(await p.app.notifications.wakeSnoozed(clock.now + HOUR))
  t.same(woken, [20, 0, 0, 0])
})

t.test('across a restart: a row due while down comes back at start, one due later comes back on the new process, once', async (t) => {
  const { clock, start } = site(t)
  const p1 = await start()
  const alice = await createUser(p1.app)
  const bob = await createUser(p1.app)
  const [early, late] = (await p1.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'system', title: 'x' })).ids as [number, number]
  await p1.app.notifications.snooze(alice.id, early, clock.now + HOUR)
  await p1.app.notifications.snooze(alice.id, late, clock.now + 2 * HOUR)
  await p1.close()

  clock.now += HOUR
  const p2 = await start()
  // The check at start runs in an onListen hook, which listen() does not wait for.
  for (let i = 0; i < 100 && (await p2.app.notifications.get(alice.id, early)).snoozed_until !== null; i++) await settle(20)
  t.match(await p2.app.notifications.get(alice.id, early), { read: false, snoozed_until: null }, 'woken when the new process started')
  t.match(await p2.app.notifications.get(alice.id, late), { read: true, snoozed_until: String }, 'the later one still snoozed')
  const sock = await connectReady(p2.url, { token: alice.token })
  const bSock = await connectReady(p2.url, { token: bob.token })
  t.equal(sock.initial.unread_count, 1)
  const marks = [sock.client.mark(), bSock.client.mark()] as const
  clock.now += HOUR
  t.match(await sock.client.next((f) => f.type === 'notification' && f.resurfaced === true), { notification: { id: late }, unread_count: 2 })
  await settle(TICK * 5)
  t.equal((await sock.client.since(marks[0], 0, 'notification')).length, 1, 'once')
  t.same(await bSock.client.since(marks[1], 0), [], 'bob got nothing')
})

t.test('closing waits for a wake-up pass in flight: it ends on an open database, nothing logged as failed', async (t) => {
  const s = await buildTestApp({ snoozeCheckIntervalMs: 20 })
  const errors: unknown[] = []
  s.app.log.error = ((obj: unknown) => void errors.push(obj)) as typeof s.app.log.error
  const service = s.app.notifications
  const original = service.wakeSnoozed
  let entered!: () => void
  const inFlight = new Promise<void>((resolve) => (entered = resolve))
  let finished = false
  service.wakeSnoozed = async (...args) => {
    entered()
    await settle(150)
    const woken = await original.apply(service, args)
    finished = true
    return woken
  }
  await s.listen()
  await inFlight
  await s.close()
  t.ok(finished, 'the pass in flight finished before close resolved')
  t.same(errors, [], 'no error logged')
})
