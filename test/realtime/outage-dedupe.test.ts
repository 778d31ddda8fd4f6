/**
 * Issue 15: when a Redis outage ends, every socket gets each notification id once,
 * however the outage poll, the resubscription's catch-up and late copies from the
 * bus interleave. A fake Redis bus drives each interleaving step by step.
 */
import t, { type Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import { buildTestApp, connect, connectReady, createUser, type SocketClient } from '../helper.js'
import { fakeSocket, liveSite } from './fixtures/live.js'
import { createFakeRedisBus, type FakeRedisBus } from './fixtures/fake-redis-bus.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One outage poll: through the catch-up's hook, or the poll timer of a build without one. */
async function poll(app: FastifyInstance): Promise<void> {
  const live = (app as FastifyInstance & { notificationsLive?: { catchUp: { poll(): Promise<void> } | null } }).notificationsLive
  if (live?.catchUp) return live.catchUp.poll()
  await sleep(3300)
}

async function site(t: Test) {
  const bus = createFakeRedisBus()
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'], {}, { bus })
  const a1 = await connectReady(url, { token: alice.token })
  const a2 = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const notify = async (title: string) => (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title })).ids[0]!
  return { s, bus, url, alice, bob, alice1: a1.client, alice2: a2.client, bob1: b.client, notify, bobMark: b.client.mark() }
}

type Site = Awaited<ReturnType<typeof site>>

/** A site whose Redis just went away, and alice's row committed meanwhile (its publish waits). */
async function outage(t: Test) {
  const x = await site(t)
  x.bus.down()
  return { x, n1: await x.notify('during') }
}

const ids = (c: SocketClient) => c.ofType('notification').map((f) => f.notification.id as number)

/** Each socket of alice got exactly these ids, each once; bob got nothing. */
async function each(t: Test, x: Site, wanted: number[]) {
  await x.alice1.settle(100)
  for (const [name, c] of [['first', x.alice1], ['second', x.alice2]] as const) {
    t.same(ids(c).sort((p, q) => p - q), wanted, `alice's ${name} socket: each id once`)
  }
  t.same(await x.bob1.since(x.bobMark, 0, 'notification'), [], 'bob got nothing')
}

t.test('the poll delivers a row before its late copy arrives', async (t) => {
  const { x, n1 } = await outage(t)
  await poll(x.s.app)
  x.bus.resubscribed()
  x.bus.releaseLate()
  await each(t, x, [n1])
})

t.test('a late copy arrives before the poll and before the catch-up', async (t) => {
  const { x, n1 } = await outage(t)
  x.bus.up()
  x.bus.releaseLate()
  await x.alice1.next('notification')
  await poll(x.s.app)
  x.bus.resubscribed()
  await each(t, x, [n1])
})

t.test('a poll runs while Redis resubscribes and new rows already flow', async (t) => {
  const { x, n1 } = await outage(t)
  x.bus.up()
  const n2 = await x.notify('while resubscribing')
  await x.alice1.next((f) => f.type === 'notification' && f.notification.id === n2)
  const polling = poll(x.s.app)
  x.bus.resubscribed()
  await polling
  x.bus.releaseLate()
  const n3 = await x.notify('after')
  await x.alice1.next((f) => f.type === 'notification' && f.notification.id === n3)
  await each(t, x, [n1, n2, n3])
})

/** Sockets that take frames and drop them, so a catch-up has many users to walk. */
async function idleSockets(app: FastifyInstance, logins: Array<{ id: number; token: string }>) {
  for (const { id, token } of logins) {
    const principal = (await app.accounts.resolveToken(token))!
    app.hub.add(fakeSocket(), id, principal.sessionId, principal.expiresAt)
  }
}

t.test('Redis recovers while a catch-up is walking its users: late copies meet the catch-up', async (t) => {
  const bus: FakeRedisBus = createFakeRedisBus()
  const s = await buildTestApp({}, { bus })
  t.teardown(() => s.close())
  const url = await s.listen()
  // 600 users ahead of alice: the catch-up yields to the event loop before reaching her.
  await idleSockets(s.app, await s.app.accounts.loadUsers(600, 'idle'))
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a1 = await connectReady(url, { token: alice.token })
  const a2 = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const x = { s, bus, alice1: a1.client, alice2: a2.client, bob1: b.client, bobMark: b.client.mark() } as unknown as Site

  bus.down()
  const n1 = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'during' })).ids[0]!
  bus.resubscribed() // the catch-up walks 500 users, then yields
  bus.releaseLate() // ...and the late copy of n1 reaches alice before it gets to her
  // The catch-up ends each user with a fresh count_update: alice has been caught up.
  await Promise.all([a1.client.next('count_update', 10_000), a2.client.next('count_update', 10_000)])
  await each(t, x, [n1])
})

t.test('a socket that resumes with since= during the outage gets each id once', async (t) => {
  const x = await site(t)
  x.bus.down()
  const n1 = await x.notify('during 1')
  const resumed = await connectReady(x.url, { token: x.alice.token, query: { since: String(n1 - 1) } })
  t.equal((await resumed.client.next('notification')).notification.id, n1, 'the replay brings it')
  const n2 = await x.notify('during 2')
  await poll(x.s.app)
  x.bus.resubscribed()
  x.bus.releaseLate()
  await each(t, x, [n1, n2])
  t.same(ids(resumed.client), [n1, n2], 'the resumed socket: each once, oldest first')
})

t.test('a catch-up while a resuming socket is still reading its snapshot sends it nothing it had', async (t) => {
  const x = await site(t)
  const before = [await x.notify('before 1'), await x.notify('before 2')]
  // The next snapshot of alice's waits at its list read until let go.
  const service = x.s.app.notifications
  const list = service.list.bind(service)
  let reached!: () => void
  const atGate = new Promise<void>((resolve) => (reached = resolve))
  let letGo!: () => void
  const gate = new Promise<void>((resolve) => (letGo = resolve))
  let once = true
  service.list = (async (...args: Parameters<typeof list>) => {
    if (once && args[0] === x.alice.id) {
      once = false
      reached()
      await gate
    }
    return list(...args)
  }) as typeof service.list
  t.teardown(() => void (service.list = list))

  // A client resuming after a restart: it has both rows already.
  const opening = await connect(x.url, { token: x.alice.token, query: { since: String(before[1]) } })
  await atGate
  const polling = poll(x.s.app) // the catch-up meets the socket mid-snapshot
  await new Promise((resolve) => setTimeout(resolve, 50))
  letGo()
  await polling
  t.equal((await opening.next('initial')).last_id, before[1])
  const n3 = await x.notify('after')
  await opening.next((f) => f.type === 'notification' && f.notification.id === n3)
  t.same(ids(opening), [n3], 'nothing at or below since= comes again; the next one does')
})

t.test('back from an outage, a socket gets the rows it missed before the new ones (ids in order)', async (t) => {
  const { x, n1 } = await outage(t)
  // n1's copy never reaches this process (published before it resubscribed): only the
  // catch-up brings it. A new row's push arrives as the resubscription reports.
  x.bus.held.splice(0)
  // The catch-up takes its time (it checks each socket's login first).
  const accounts = x.s.app.accounts
  const isSessionLive = accounts.isSessionLive.bind(accounts)
  accounts.isSessionLive = async (id: string) => {
    await new Promise((resolve) => setTimeout(resolve, 100))
    return isSessionLive(id)
  }
  t.teardown(() => void (accounts.isSessionLive = isSessionLive))
  x.bus.up()
  const n2 = await x.notify('right after')
  x.bus.resubscribed()
  for (const c of [x.alice1, x.alice2]) await c.next((f) => f.type === 'notification' && f.notification.id === n1)
  await each(t, x, [n1, n2])
  for (const [name, c] of [['first', x.alice1], ['second', x.alice2]] as const) {
    t.same(ids(c), [n1, n2], `alice's ${name} socket: the missed row first`)
  }
})
