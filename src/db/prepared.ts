/**
 * A query built once and run many times with `await stmt.execute(params)` (rows;
 * `[0]` for one): building a drizzle query costs more than running it
 * (bench/README.md). The name identifies the statement where a database keeps
 * prepared statements by name; SQLite's statement handle needs none. Names are
 * unique per statement.
 */
export function prepare<Q extends { prepare(): unknown }>(name: string, query: Q): ReturnType<Q['prepare']> {
  if (!name) throw new Error('a prepared statement needs a name')
  return query.prepare() as ReturnType<Q['prepare']>
}
