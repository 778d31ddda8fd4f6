/** Raw SQL through the one place that knows each dialect's calls. */
import type { SQL } from 'drizzle-orm'
import type { NodePgDatabase } from 'drizzle-orm/node-postgres'
import type { Db } from './client.js'
import { dialectOf } from './dialect.js'

/** The rows a raw query answers. */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  if (dialectOf(db) === 'postgres') return (await (db as unknown as NodePgDatabase).execute(query)).rows as T[]
  return db.all<T>(query)
}

/** Runs a raw statement for its effect. */
export async function exec(db: Db, query: SQL): Promise<void> {
  if (dialectOf(db) === 'postgres') await (db as unknown as NodePgDatabase).execute(query)
  else db.run(query)
}
