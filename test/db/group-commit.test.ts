import t, { type Test } from 'tap'
import { AsyncLocalStorage } from 'node:async_hooks'
import { eq } from 'drizzle-orm'
import { openDatabase, type Db, type SqliteDb } from '../../src/db/client.js'
import { groupCommitOf, transact } from '../../src/db/transact.js'
import { users } from '../../src/domains/accounts/schema.js'
import type { Bus, BusEventInput } from '../../src/realtime/bus.js'

/** A bus that records each publish with the names committed at that moment (read on a second connection). */
function setup(t: Test) {
  const path = t.testdir() + '/group.db'
  const db = openDatabase(path)
  // Grouping must not depend on how busy the machine is; the time limit has its own test.
  groupCommitOf(db)!.maxGroupMs = 60_000
  const reader = openDatabase(path)
  t.teardown(() => {
    db.$client.close()
    reader.$client.close()
  })
  const committed = () => (reader.$client.prepare('SELECT username FROM users ORDER BY id').pluck().all() as string[])
  const published: Array<{ event: BusEventInput; committed: string[] }> = []
  const bus = { publish: (event: BusEventInput) => published.push({ event, committed: committed() }), onEvent() {} } as unknown as Bus
  return { db, bus, published, committed }
}

const addUser = (db: Db, username: string) => db.insert(users).values({ username, passwordHash: 'x' }).returning({ id: users.id })
const counts = (userId: number): BusEventInput => ({ type: 'counts', userIds: [userId] })

/**
 * A transaction that stays open until `release()` (a test's liberty: real ones do only database
 * work): those asked for once it runs queue behind it and form the next group.
 */
async function blocker(db: SqliteDb, bus: Bus) {
  let release!: () => void
  let running!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const started = new Promise<void>((resolve) => (running = resolve))
  const done = transact(db, bus, async (tx) => {
    await addUser(tx, 'blocker')
    running()
    await gate
  })
  await started
  return { release, done }
}

t.test('transactions asked for in one turn of the event loop share a COMMIT', async (t) => {
  const { db, bus, committed } = setup(t)
  const before = { ...groupCommitOf(db)!.stats }
  await Promise.all(['ann', 'bea', 'cy'].map((name) => transact(db, bus, async (tx) => addUser(tx, name))))
  t.equal(groupCommitOf(db)!.stats.commits - before.commits, 1, 'one COMMIT for the three')
  t.same(committed(), ['ann', 'bea', 'cy'], 'in the order asked')
})

t.test('transactions queued behind one share its successor COMMIT; each resolves and publishes after it', async (t) => {
  const { db, bus, published, committed } = setup(t)
  const first = await blocker(db, bus)
  const before = { ...groupCommitOf(db)!.stats }
  const members = ['ann', 'bea', 'cy'].map((name) =>
    transact(db, bus, async (tx, outbox) => {
      const [row] = await addUser(tx, name)
      outbox.push(counts(row!.id))
      t.same(published.length, 0, `nothing published while ${name}'s group is open`)
      t.notOk(committed().includes(name), `${name} not visible to another connection before COMMIT`)
      return name
    }),
  )
  first.release()
  await first.done
  t.same(await Promise.all(members), ['ann', 'bea', 'cy'], 'each gets its own value')
  const after = groupCommitOf(db)!.stats
  t.equal(after.transactions - before.transactions, 4, 'four transactions')
  t.equal(after.commits - before.commits, 2, 'two COMMITs: the blocker alone, then the three together')
  t.same(
    published.map((p) => p.event),
    [counts(2), counts(3), counts(4)],
    'their events in order',
  )
  t.ok(published.every((p) => p.committed.join() === 'blocker,ann,bea,cy'), 'each published after the shared COMMIT')
})

t.test('a member that throws is undone alone: the others commit, it fails, nothing of it is published', async (t) => {
  const { db, bus, published, committed } = setup(t)
  const first = await blocker(db, bus)
  const ok1 = transact(db, bus, async (tx, outbox) => {
    await addUser(tx, 'ann')
    outbox.push(counts(1))
  })
  const failing = transact(db, bus, async (tx, outbox) => {
    await addUser(tx, 'bea')
    outbox.push(counts(99))
    throw new Error('bea changed her mind')
  })
  const duplicate = transact(db, bus, async (tx) => addUser(tx, 'ann'))
  const ok2 = transact(db, bus, async (tx, outbox) => {
    await addUser(tx, 'cy')
    outbox.push(counts(2))
  })
  first.release()
  await first.done
  await ok1
  await t.rejects(failing, { message: 'bea changed her mind' })
  await t.rejects(duplicate, /UNIQUE/, 'a constraint error fails its own member only')
  await ok2
  t.same(committed(), ['blocker', 'ann', 'cy'], "bea's row and the duplicate are gone, the others are there")
  t.same(
    published.map((p) => p.event),
    [counts(1), counts(2)],
    'only the committed members published',
  )
  t.notOk(db.$client.inTransaction, 'no transaction left open')
})

t.test('a member whose error ends the whole transaction fails the ones before it; the ones after it run anew', async (t) => {
  const { db, bus, committed } = setup(t)
  const first = await blocker(db, bus)
  const before = transact(db, bus, async (tx) => addUser(tx, 'ann'))
  const breaker = transact(db, bus, async (tx) => {
    await addUser(tx, 'bea')
    // What SQLite does itself on some I/O and disk-full errors.
    db.$client.exec('ROLLBACK')
    throw new Error('disk full')
  })
  const after = transact(db, bus, async (tx) => addUser(tx, 'cy'))
  first.release()
  await first.done
  await t.rejects(before, { message: /rolled back with another one sharing its commit/ }, 'the one before is told its writes are gone')
  await t.rejects(breaker, { message: 'disk full' })
  await after
  t.same(committed(), ['blocker', 'cy'], 'only the blocker and the one after are there')
  t.notOk(db.$client.inTransaction, 'no transaction left open')
})

t.test('a group stops taking members once it ran for a while; the rest go first in the next one', async (t) => {
  const { db, bus, committed } = setup(t)
  groupCommitOf(db)!.maxGroupMs = 5
  const first = await blocker(db, bus)
  const before = { ...groupCommitOf(db)!.stats }
  const slow = transact(db, bus, async (tx) => {
    await addUser(tx, 'slow')
    const until = performance.now() + 20
    while (performance.now() < until);
  })
  const next = transact(db, bus, async (tx) => addUser(tx, 'next'))
  first.release()
  await Promise.all([first.done, slow, next])
  t.equal(groupCommitOf(db)!.stats.commits - before.commits, 3, 'the slow one committed without waiting for the next')
  t.same(committed(), ['blocker', 'slow', 'next'], 'in order')
})

t.test("each member runs in its caller's async context, and a transact inside a member joins that member", async (t) => {
  const { db, bus, published } = setup(t)
  const store = new AsyncLocalStorage<string>()
  const first = await blocker(db, bus)
  const seen: Array<string | undefined> = []
  const member = (name: string) =>
    store.run(name, () =>
      transact(db, bus, async (tx, outbox) => {
        seen.push(store.getStore())
        await addUser(tx, name)
        await transact(db, bus, async (inner, innerOutbox) => {
          t.equal(innerOutbox, outbox, `${name}'s inner transact has ${name}'s outbox`)
          innerOutbox.push(counts(name === 'ann' ? 1 : 2))
        })
        if (name === 'bea') throw new Error('bea fails with her inner part')
      }),
    )
  const ann = member('ann')
  const bea = member('bea')
  first.release()
  await first.done
  await ann
  await t.rejects(bea)
  t.same(seen, ['ann', 'bea'], 'each saw its own context')
  t.same(published.map((p) => p.event), [counts(1)], "the failed member's inner event went with it")
  t.same(await db.select({ username: users.username }).from(users).where(eq(users.username, 'bea')), [], "and its row")
})
