import { AsyncLocalStorage } from 'node:async_hooks'
import { sql } from 'drizzle-orm'
import type { Bus, BusEventInput } from '../realtime/bus.js'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { Db } from './client.js'
import { dialectOf } from './dialect.js'
import { exec } from './raw.js'

/** SQLite: the database handle itself (one connection); PostgreSQL: drizzle's transaction on one pooled connection. */
export type Tx = Db

/** Events collected during a transaction, published only once it has committed. */
export type Outbox = BusEventInput[]

interface Open {
  db: Db
  /** What the queries of this transaction run on. */
  tx: Tx
  outbox: Outbox
  /** Set at COMMIT or ROLLBACK: work scheduled from inside (a timer) must not join it later. */
  ended: boolean
}

const open = new AsyncLocalStorage<Open>()
/** Per database, the last transaction in line: each one waits for the one before (FIFO). */
const queues = new WeakMap<Db, Promise<void>>()

/**
 * Runs `fn` in one IMMEDIATE transaction (so writers of other processes queue on
 * busy_timeout instead of failing on lock upgrade) and publishes the events it
 * collected after COMMIT. If `fn` throws, nothing is written (ROLLBACK), nothing is
 * published, and the error is rethrown.
 *
 * One connection serves every request, so transactions of this process take turns
 * (a promise chain per database). A `transact` called inside one (same async
 * context) joins it: same transaction and outbox, published after the outer
 * COMMIT; waiting for its turn instead would never end.
 *
 * Inside `fn`, only database work: no Redis, no password hashing, no timers, no
 * other I/O. While a transaction waits on real I/O, another request's query on the
 * same connection would run inside it (and be rolled back with it).
 */
export async function transact<T>(db: Db, bus: Bus, fn: (tx: Tx, outbox: Outbox) => Promise<T>): Promise<T> {
  const current = open.getStore()
  if (current && current.db === db && !current.ended) return fn(current.tx, current.outbox)
  if (dialectOf(db) === 'postgres') return transactOnPostgres(db, bus, fn)

  const before = queues.get(db) ?? Promise.resolve()
  let done!: () => void
  const mine = new Promise<void>((resolve) => (done = resolve))
  queues.set(db, mine)
  await before
  const state: Open = { db, tx: db, outbox: [], ended: false }
  let result: T
  try {
    result = await open.run(state, async () => {
      await exec(db, sql`BEGIN IMMEDIATE`)
      try {
        const value = await fn(db, state.outbox)
        await exec(db, sql`COMMIT`)
        return value
      } catch (err) {
        // A failed COMMIT may have ended the transaction already: the first error is the one to tell.
        await exec(db, sql`ROLLBACK`).catch(() => undefined)
        throw err
      } finally {
        state.ended = true
      }
    })
  } finally {
    if (queues.get(db) === mine) queues.delete(db)
    done()
  }
  for (const event of state.outbox) bus.publish(event)
  return result
}

/** PostgreSQL's error codes for "run it again": deadlock_detected, serialization_failure. */
const RETRYABLE = new Set(['40P01', '40001'])
const ATTEMPTS = 3

function sqlState(err: unknown): string | undefined {
  // drizzle wraps the driver's error (DrizzleQueryError) with it as the cause.
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code
  }
  return undefined
}

/**
 * PostgreSQL: a transaction on a connection of the pool (READ COMMITTED); transactions of
 * this and other processes run side by side and wait only on the rows they both change.
 * Two that lock the same rows in opposite orders make PostgreSQL cancel one (deadlock):
 * that one runs again from the start, its events collected afresh, at most three times.
 */
async function transactOnPostgres<T>(db: Db, bus: Bus, fn: (tx: Tx, outbox: Outbox) => Promise<T>): Promise<T> {
  const pgDb = db as unknown as NodePgDatabase
  for (let attempt = 1; ; attempt++) {
    const state: Open = { db, tx: db, outbox: [], ended: false }
    try {
      const result = await pgDb.transaction(async (pgTx) => {
        state.tx = pgTx as unknown as Tx
        try {
          return await open.run(state, () => fn(state.tx, state.outbox))
        } finally {
          state.ended = true
        }
      })
      for (const event of state.outbox) bus.publish(event)
      return result
    } catch (err) {
      if (attempt >= ATTEMPTS || !RETRYABLE.has(sqlState(err) ?? '')) throw err
    }
  }
}
