/**
 * PostgreSQL (DATABASE_URL): a node-postgres pool behind drizzle, migrated at start from
 * migrations-pg/. The services keep their SQLite table objects: drizzle's PostgreSQL dialect
 * builds its SQL from them (names and values are the same; migrations-pg creates the tables
 * with PostgreSQL types, kept in step by test/db/pg-schema.test.ts).
 */
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { transactionConnection } from './transact.js'

export const PG_MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations-pg')

/** Any stable 64-bit number: every process of every host migrating this database takes this lock first. */
const MIGRATION_LOCK = 7_305_151_925_061_224

// int8 (count(*), the bigint columns holding milliseconds and paise) and numeric (sum() of
// bigint) arrive as strings by default; every such value here is a whole number below 2^53,
// and the SQLite column classes reading them expect numbers. A value that would lose
// precision is refused rather than rounded.
function exactNumber(text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n)) throw new Error(`PostgreSQL returned ${text}, which is not a whole number below 2^53`)
  return n
}
pg.types.setTypeParser(pg.types.builtins.INT8, exactNumber)
pg.types.setTypeParser(pg.types.builtins.NUMERIC, exactNumber)

/**
 * A pool whose queries, made inside a transaction, go to that transaction's connection:
 * a service may read through `db` (a prepared statement, a helper of another service)
 * while its transaction is open, as on SQLite's single connection. Without this such a
 * query would run on another connection, not see the transaction's rows, and could wait
 * forever on a row lock the transaction holds.
 */
class TransactionAwarePool extends pg.Pool {
  constructor(config: pg.PoolConfig) {
    super(config)
    const poolQuery = this.query.bind(this) as (...args: unknown[]) => unknown
    this.query = ((...args: unknown[]) => {
      const client = transactionConnection()
      return client ? (client.query as (...a: unknown[]) => unknown)(...args) : poolQuery(...args)
    }) as pg.Pool['query']
  }
}

export interface PostgresOptions {
  /** Connections per process (PG_POOL_SIZE). */
  poolSize?: number
}

export type PostgresDb = ReturnType<typeof drizzle<Record<string, never>, pg.Pool>>

/**
 * Opens a pool and applies pending migrations under an advisory lock, so processes starting
 * together on several hosts migrate once: the first applies, the others wait and find nothing to do.
 * The migration journal lives in the connection's current schema (public unless the URL sets
 * `options=-c search_path=...`), so separate schemas of one database are separate sites.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<{ db: PostgresDb; pool: pg.Pool }> {
  const pool = new TransactionAwarePool({ connectionString: url, max: options.poolSize ?? 10 })
  // An idle connection that the server drops (restart, failover) must not crash the process:
  // the pool discards it and the next query opens a new one.
  pool.on('error', () => {})
  try {
    const client = await pool.connect()
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
      try {
        const { rows } = await client.query<{ schema: string }>('select current_schema() as schema')
        await migrate(drizzle(client), { migrationsFolder: PG_MIGRATIONS_DIR, migrationsSchema: rows[0]!.schema })
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK])
      }
    } finally {
      client.release()
    }
  } catch (err) {
    await pool.end()
    throw err
  }
  return { db: drizzle(pool), pool }
}
