import Database from 'better-sqlite3'
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as schema from './schema.js'

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database }

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations')

/**
 * Opens (creating if needed) the SQLite database and applies pending migrations.
 * WAL + busy_timeout let several processes share one file.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true })
  const sqlite = new Database(path)
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  const db = drizzle(sqlite, { schema }) as Db
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
  db.$client.close()
}
