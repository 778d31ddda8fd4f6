import { AsyncLocalStorage } from 'node:async_hooks'
import type { Bus, BusEventInput } from '../realtime/bus.js'
import type Database from 'better-sqlite3'
import type pg from 'pg'
import type { Db } from './client.js'
import { sql } from 'drizzle-orm'
import { dialectOf, errorChain } from './dialect.js'
import { GroupCommit } from './group-commit.js'
import { exec } from './raw.js'

/** The database handle itself: on SQLite one connection; on PostgreSQL queries inside a transaction go to its connection. */
export type Tx = Db

/** Events collected during a transaction, published only once it has committed. */
export type Outbox = BusEventInput[]

interface Open {
  db: Db
  /** PostgreSQL: the pooled connection the transaction runs on (null on SQLite). */
  client: pg.PoolClient | null
  outbox: Outbox
  /** Set at COMMIT or ROLLBACK: work scheduled from inside (a timer) must not join it later. */
  ended: boolean
}

const open = new AsyncLocalStorage<Open>()

/**
 * The connection of the PostgreSQL transaction the caller is inside, if any: postgres.ts
 * sends every query made there to it. Work scheduled from inside that outlives the
 * transaction (a timer) gets null and runs on the pool.
 */
export function transactionConnection(): pg.PoolClient | null {
  const current = open.getStore()
  return current && !current.ended ? current.client : null
}

/**
 * Makes the transactions that name the same key take turns from here to their end, where a
 * decision rests on what was read (is there an unread group to add to, does the direct
 * conversation exist, what is the invoice's balance). SQLite's transactions already take
 * turns (BEGIN IMMEDIATE); PostgreSQL's run side by side, so there it is a transaction-scoped
 * advisory lock on the key's hash, taken only inside a transaction (outside one it would
 * hold nothing and cost a round trip).
 */
export async function lockKey(tx: Tx, key: string): Promise<void> {
  if (!transactionConnection()) return
  await exec(tx, sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`)
}

/** Per SQLite connection, the line its transactions wait in (group-commit.ts). */
const groups = new WeakMap<Db, GroupCommit>()
function groupOf(db: Db): GroupCommit {
  let group = groups.get(db)
  if (!group) groups.set(db, (group = new GroupCommit(db.$client as Database.Database)))
  return group
}

/** This SQLite database's group commit (its stats: how many transactions shared a COMMIT); null on PostgreSQL. */
export function groupCommitOf(db: Db): GroupCommit | null {
  return dialectOf(db) === 'sqlite' ? groupOf(db) : null
}

/**
 * Runs `fn` in one transaction and publishes the events it collected after COMMIT. If
 * `fn` throws, nothing is written (ROLLBACK), nothing is published, and the error is
 * rethrown. A `transact` called inside one (same async context) joins it: same
 * transaction and outbox, published after the outer COMMIT.
 *
 * SQLite: one connection serves every request, so transactions of this process take
 * turns, and those that queued meanwhile share one BEGIN IMMEDIATE ... COMMIT, each in
 * its own savepoint (group-commit.ts; writers of other processes queue on busy_timeout
 * instead of failing on lock upgrade). Inside `fn`,
 * only database work: no Redis, no password hashing, no timers, no other I/O. While a
 * transaction waits on real I/O, another request's query on the same connection would
 * run inside it (and be rolled back with it).
 *
 * PostgreSQL: see transactOnPostgres below.
 */
export async function transact<T>(db: Db, bus: Bus, fn: (tx: Tx, outbox: Outbox) => Promise<T>): Promise<T> {
  const current = open.getStore()
  if (current && current.db === db && !current.ended) return fn(db, current.outbox)
  if (dialectOf(db) === 'postgres') return transactOnPostgres(db, bus, fn)

  const state: Open = { db, client: null, outbox: [], ended: false }
  const result = await groupOf(db).run(async () => {
    try {
      return await open.run(state, () => fn(db, state.outbox))
    } finally {
      state.ended = true
    }
  })
  for (const event of state.outbox) bus.publish(event)
  return result
}

/** PostgreSQL's error codes for "run it again": deadlock_detected, serialization_failure. */
const RETRYABLE = new Set(['40P01', '40001'])
const ATTEMPTS = 3

function sqlState(err: unknown): string | undefined {
  for (const e of errorChain(err)) if (typeof e.code === 'string') return e.code
  return undefined
}

/**
 * PostgreSQL: a transaction on a connection of the pool (READ COMMITTED); transactions of
 * this and other processes run side by side and wait only on the rows they both change.
 * Every query made inside `fn`, through `tx` or `db`, goes to that connection
 * (postgres.ts: TransactionAwarePool), so `tx` is `db` here as on SQLite.
 * Two that lock the same rows in opposite orders make PostgreSQL cancel one (deadlock):
 * that one runs again from the start, its events collected afresh, at most three times.
 */
async function transactOnPostgres<T>(db: Db, bus: Bus, fn: (tx: Tx, outbox: Outbox) => Promise<T>): Promise<T> {
  const pool = db.$client as pg.Pool
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect()
    const state: Open = { db, client, outbox: [], ended: false }
    let broken: Error | undefined
    try {
      await client.query('begin')
      const result = await open.run(state, () => fn(db, state.outbox))
      await client.query('commit')
      for (const event of state.outbox) bus.publish(event)
      return result
    } catch (err) {
      await client.query('rollback').catch((e: Error) => (broken = e))
      if (attempt >= ATTEMPTS || !RETRYABLE.has(sqlState(err) ?? '')) throw err
    } finally {
      // Work scheduled from inside (a timer) runs on the pool afterwards, never on this connection.
      state.ended = true
      client.release(broken)
    }
  }
}
