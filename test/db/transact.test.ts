import t, { type Test } from 'tap'
import { count, eq } from 'drizzle-orm'
import { openDatabase, type Db, type SqliteDb } from '../../src/db/client.js'
import { transact } from '../../src/db/transact.js'
import { users } from '../../src/domains/accounts/schema.js'
import type { Bus, BusEventInput } from '../../src/realtime/bus.js'

/** A bus that records each publish and whether a transaction was open at that moment. */
function recordingBus(db: SqliteDb) {
  const published: Array<{ event: BusEventInput; inTransaction: boolean; users: number }> = []
  const bus = {
    publish(event: BusEventInput) {
      published.push({ event, inTransaction: db.$client.inTransaction, users: db.$client.prepare('SELECT count(*) FROM users').pluck().get() as number })
    },
    onEvent() {},
  } as unknown as Bus
  return { bus, published }
}

const counts = (userId: number): BusEventInput => ({ type: 'counts', userIds: [userId] })
const addUser = (db: Db, username: string) => db.insert(users).values({ username, passwordHash: 'x' }).returning({ id: users.id })
const userCount = async (db: Db) => (await db.select({ n: count() }).from(users))[0]!.n

function setup(t: Test) {
  const db = openDatabase(':memory:')
  t.teardown(() => db.$client.close())
  return { db, ...recordingBus(db) }
}

t.test('a transaction that throws leaves nothing and publishes nothing', async (t) => {
  const { db, bus, published } = setup(t)
  await t.rejects(
    transact(db, bus, async (tx, outbox) => {
      await addUser(tx, 'ann')
      outbox.push(counts(1))
      throw new Error('changed my mind')
    }),
    { message: 'changed my mind' },
  )
  t.equal(await userCount(db), 0, 'the insert was rolled back')
  t.same(published, [], 'nothing published')
  t.notOk(db.$client.inTransaction, 'no transaction left open')
  await transact(db, bus, async (tx) => addUser(tx, 'bea'))
  t.equal(await userCount(db), 1, 'the next transaction runs')
})

t.test('events are published after COMMIT, in order', async (t) => {
  const { db, bus, published } = setup(t)
  const id = await transact(db, bus, async (tx, outbox) => {
    const [row] = await addUser(tx, 'ann')
    outbox.push(counts(row!.id))
    outbox.push({ type: 'frame', userIds: [row!.id], frame: { type: 'pong', ts: null } })
    t.same(published, [], 'nothing published while the transaction is open')
    return row!.id
  })
  t.same(
    published.map((p) => p.event.type),
    ['counts', 'frame'],
    'both published, in order',
  )
  t.ok(published.every((p) => !p.inTransaction && p.users === 1), 'each one after COMMIT: the row is there, no transaction open')
  t.equal(id, 1, 'the value of fn is returned')
})

t.test('a transact inside a transact joins it: one transaction, one outbox published after the outer COMMIT', async (t) => {
  const { db, bus, published } = setup(t)
  await transact(db, bus, async (tx, outbox) => {
    await addUser(tx, 'ann')
    outbox.push(counts(1))
    await transact(db, bus, async (inner, innerOutbox) => {
      t.equal(innerOutbox, outbox, 'the same outbox')
      await addUser(inner, 'bea')
      innerOutbox.push(counts(2))
    })
    t.same(published, [], 'the inner transact published nothing on its own')
  })
  t.same(
    published.map((p) => p.event),
    [counts(1), counts(2)],
    'both events after the outer commit',
  )

  // The inner one's writes go with the outer one when it fails.
  await t.rejects(
    transact(db, bus, async () => {
      await transact(db, bus, async (inner) => addUser(inner, 'cy'))
      throw new Error('outer fails')
    }),
  )
  t.same((await db.select({ username: users.username }).from(users).where(eq(users.username, 'cy'))), [], 'rolled back with the outer one')
})

t.test('two concurrent transactions run one after the other; the second sees what the first committed', async (t) => {
  const { db, bus } = setup(t)
  const steps: string[] = []
  const first = transact(db, bus, async (tx) => {
    steps.push('first begins')
    await addUser(tx, 'ann')
    // Lets the event loop turn with the transaction open (only a test does this).
    await new Promise((resolve) => setImmediate(resolve))
    await addUser(tx, 'bea')
    steps.push('first ends')
  })
  const second = transact(db, bus, async (tx) => {
    steps.push('second begins')
    return userCount(tx)
  })
  await first
  t.equal(await second, 2, 'the second saw both rows of the first')
  t.same(steps, ['first begins', 'first ends', 'second begins'], 'one after the other')

  // A failed one does not block the line.
  const failing = transact(db, bus, async () => {
    throw new Error('no')
  })
  const after = transact(db, bus, async (tx) => userCount(tx))
  await t.rejects(failing)
  t.equal(await after, 2, 'the next one ran')
})

t.test('work scheduled from inside a transaction does not join it after it ended', async (t) => {
  const { db, bus, published } = setup(t)
  let later: Promise<unknown> | null = null
  await transact(db, bus, async (tx) => {
    await addUser(tx, 'ann')
    later = new Promise((resolve) => setImmediate(resolve)).then(() =>
      transact(db, bus, async (tx2, outbox) => {
        outbox.push(counts(2))
        await addUser(tx2, 'bea')
      }),
    )
  })
  await later
  t.equal(await userCount(db), 2, 'its own transaction committed')
  t.same(published.map((p) => p.event), [counts(2)], 'and published its own event')
})
