import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import type { Config } from '../config.js'
import { dialectOf } from './dialect.js'
import * as schema from './schema.js'

/**
 * The services' handle on the database. Its type is drizzle's SQLite database (the tables
 * are `sqliteTable`s); with DATABASE_URL it is a node-postgres drizzle that builds its SQL
 * from the same tables. The services use only what both do: awaited builders, `returning`,
 * `prepare` and raw SQL through src/db (dialect.ts, raw.ts, prepared.ts, transact.ts).
 */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database | pg.Pool }

/** A SQLite database as `openDatabase` returns it (tools and tests that need the file's own handle). */
export type SqliteDb = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

/** The configured database, migrated: PostgreSQL when `databaseUrl` is set, else the SQLite file. */
export async function connectDatabase(config: Pick<Config, 'databasePath' | 'databaseUrl' | 'pgPoolSize'>): Promise<Db> {
  if (!config.databaseUrl) return openDatabase(config.databasePath)
  // node-postgres and its drizzle driver load only when used: a SQLite process (and each
  // test process) starts without them.
  const { openPostgres } = await import('./postgres.js')
  const { db } = await openPostgres(config.databaseUrl, { poolSize: config.pgPoolSize })
  return db as unknown as Db
}

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations')

/**
 * Opens (creating if needed) the SQLite database and applies pending migrations.
 * WAL + busy_timeout let several processes share one file.
 */
export function openDatabase(path: string): SqliteDb {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  const db = drizzle(sqlite, { schema }) as SqliteDb
  // Several processes may start at once against one file: the migrator runs in
  // one transaction, so the second waits (busy_timeout) and then finds nothing to do.
  // Foreign keys are off meanwhile: a migration that rebuilds a table (SQLite cannot
  // change a CHECK or a primary key in place) drops the old one, which with foreign
  // keys on would cascade-delete its children's rows (and PRAGMA foreign_keys inside
  // the migrator's transaction is ignored). The keys are checked once it is done.
  sqlite.pragma('foreign_keys = OFF')
  migrate(db, { migrationsFolder: MIGRATIONS_DIR })
  sqlite.pragma('foreign_keys = ON')
  const broken = sqlite.pragma('foreign_key_check') as unknown[]
  if (broken.length) throw new Error(`migrations left ${broken.length} rows with a broken foreign key: ${JSON.stringify(broken.slice(0, 5))}`)
  return db
}

/** Closes the database handle (after its last query). */
export async function closeDatabase(db: Db): Promise<void> {
  if (dialectOf(db) === 'postgres') await (db.$client as pg.Pool).end()
  else (db.$client as Database.Database).close()
}
