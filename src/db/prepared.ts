/**
 * A query built once and run many times with `await stmt.execute(params)` (rows;
 * `[0]` for one): building a drizzle query costs more than running it
 * (bench/README.md). PostgreSQL keeps prepared statements by name on each
 * connection; SQLite's statement handle needs none. Names are unique per statement.
 */
import { sql, type Placeholder } from 'drizzle-orm'
import { dialectOf } from './dialect.js'

export function prepare<Q extends { prepare(): unknown }>(name: string, query: Q): ReturnType<Q['prepare']> {
  if (!name) throw new Error('a prepared statement needs a name')
  const q = query as unknown as { prepare(name?: string): ReturnType<Q['prepare']> } & object
  return dialectOf(q) === 'postgres' ? q.prepare(name) : q.prepare()
}

/** Ids per `in (...)` list of a batch read: far below SQLite's parameter limit, one slice of a fan-out. */
export const IN_LIST = 500

/** The placeholders of a prepared `in (...)` list of IN_LIST ids, filled by `inLists`. */
export function inList(): Placeholder[] {
  return Array.from({ length: IN_LIST }, (_, i) => sql.placeholder(`in${i}`))
}

/**
 * Runs a prepared query holding one `inList()` over `ids`, IN_LIST at a time. A shorter
 * list repeats its last id (it matches the same rows), so every run keeps the one shape.
 */
export async function inLists<R>(ids: readonly number[], run: (list: Record<string, number>) => Promise<R[]>): Promise<R[]> {
  const rows: R[] = []
  for (let from = 0; from < ids.length; from += IN_LIST) {
    const list: Record<string, number> = {}
    for (let i = 0; i < IN_LIST; i++) list[`in${i}`] = ids[Math.min(from + i, ids.length - 1)]!
    for (const row of await run(list)) rows.push(row)
  }
  return rows
}
