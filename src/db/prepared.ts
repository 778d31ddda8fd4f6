/**
 * A query built once and run many times with `await stmt.execute(params)` (rows;
 * `[0]` for one): building a drizzle query costs more than running it
 * (bench/README.md). PostgreSQL keeps prepared statements by name on each
 * connection; SQLite's statement handle needs none. Names are unique per statement.
 */
import { dialectOf } from './dialect.js'

export function prepare<Q extends { prepare(): unknown }>(name: string, query: Q): ReturnType<Q['prepare']> {
  if (!name) throw new Error('a prepared statement needs a name')
  const q = query as unknown as { prepare(name?: string): ReturnType<Q['prepare']> } & object
  return dialectOf(q) === 'postgres' ? q.prepare(name) : q.prepare()
}
