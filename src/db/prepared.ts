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

/** Ids per `in (...)` list of a batch read at most: far below SQLite's parameter limit, one slice of a fan-out. */
export const IN_LIST = 500
/** The list lengths a batch read is prepared with: a few ids do not pay for binding 500. */
const SIZES = [8, 32, 128, IN_LIST]
const NAMES = Array.from({ length: IN_LIST }, (_, i) => `in${i}`)

interface Executable {
  execute(params: Record<string, unknown>): PromiseLike<unknown[]>
}
/** The rows of a prepared query built by `build`. */
type RowsOf<Q extends { prepare(): unknown }> = ReturnType<Q['prepare']> extends { execute(...args: never[]): infer E } ? Awaited<E> : never

/**
 * A query over a list of ids (`where user_id in (...)`), prepared once per list length
 * in SIZES (on first use), run over any number of ids, IN_LIST at a time. A list
 * shorter than its prepared length repeats its last id, which matches the same rows.
 */
export function inListQuery<Q extends { prepare(): unknown }>(name: string, build: (list: Placeholder[]) => Q) {
  const prepared = new Map<number, Executable>()
  const statement = (size: number): Executable => {
    let stmt = prepared.get(size)
    if (!stmt) {
      const list = NAMES.slice(0, size).map((n) => sql.placeholder(n))
      prepared.set(size, (stmt = prepare(`${name}_${size}`, build(list)) as Executable))
    }
    return stmt
  }
  return {
    async run(ids: readonly number[], params: Record<string, unknown> = {}): Promise<RowsOf<Q>> {
      const rows: unknown[] = []
      for (let from = 0; from < ids.length; from += IN_LIST) {
        const n = Math.min(IN_LIST, ids.length - from)
        const size = SIZES.find((s) => s >= n)!
        const values: Record<string, unknown> = { ...params }
        for (let i = 0; i < size; i++) values[NAMES[i]!] = ids[from + Math.min(i, n - 1)]
        for (const row of await statement(size).execute(values)) rows.push(row)
      }
      return rows as RowsOf<Q>
    },
  }
}
