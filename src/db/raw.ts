/** Raw SQL through the one place that knows the dialect's calls. */
import type { SQL } from 'drizzle-orm'
import type { Db } from './client.js'

/** The rows a raw query answers. */
export async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  return db.all<T>(query)
}

/** Runs a raw statement for its effect. */
export async function exec(db: Db, query: SQL): Promise<void> {
  db.run(query)
}
