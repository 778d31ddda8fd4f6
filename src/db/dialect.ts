/**
 * The few places where SQLite and PostgreSQL spell a query differently. Everything else in
 * the services is drizzle's portable subset (awaited builders, `returning`), which both
 * dialects build from the same table objects.
 */
import { getTableName, is, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { alias as pgAlias, PgDialect, PgTable } from 'drizzle-orm/pg-core'
import { alias, type SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as pgSchema from './schema.pg.js'

export type Dialect = 'sqlite' | 'postgres'

/** Which database a connection, a transaction or a query builder talks to. */
export function dialectOf(db: object): Dialect {
  const dialect = (db as { dialect?: object }).dialect
  if (!dialect) return 'sqlite'
  let known = dialects.get(dialect)
  if (!known) dialects.set(dialect, (known = is(dialect, PgDialect) ? 'postgres' : 'sqlite'))
  return known
}
const dialects = new WeakMap<object, Dialect>()

/**
 * `column LIKE pattern` ignoring case, with `\` escaping `%` and `_` in the pattern:
 * SQLite's LIKE already ignores ASCII case, PostgreSQL's does not (ILIKE does).
 */
export function likeIgnoringCase(db: object, column: SQLWrapper, pattern: string): SQL {
  return dialectOf(db) === 'postgres' ? sql`${column} ILIKE ${pattern} ESCAPE '\\'` : sql`${column} LIKE ${pattern} ESCAPE '\\'`
}

/** An ORDER BY key that sorts names without regard to case. */
export function ignoringCase(db: object, column: SQLWrapper): SQL {
  return dialectOf(db) === 'postgres' ? sql`lower(${column})` : sql`${column} COLLATE NOCASE`
}

const pgAliases = new Map<string, unknown>()

/**
 * A table under another name, for a self-join or a second join (`alias(users, 'actor')`).
 * drizzle's PostgreSQL dialect writes `table alias` in a join only for its own table objects,
 * so on PostgreSQL the alias is made of the table's PostgreSQL mirror (schema.pg.ts: same
 * names, same columns, checked by test/db/pg-schema.test.ts).
 */
export function aliasOf<T extends SQLiteTable, N extends string>(db: object, table: T, name: N) {
  if (dialectOf(db) !== 'postgres') return alias(table, name)
  const key = `${getTableName(table)} ${name}`
  let aliased = pgAliases.get(key)
  if (!aliased) {
    const mirror = Object.values(pgSchema).find((t) => is(t, PgTable) && getTableName(t) === getTableName(table)) as PgTable | undefined
    if (!mirror) throw new Error(`no PostgreSQL mirror of table ${getTableName(table)} in src/db/schema.pg.ts`)
    pgAliases.set(key, (aliased = pgAlias(mirror, name)))
  }
  return aliased as unknown as ReturnType<typeof alias<T, N>>
}

/** An error and the errors it wraps (drizzle wraps the driver's error as its cause). */
type WrappedError = { message?: unknown; code?: unknown; constraint?: unknown; cause?: unknown }
export function* errorChain(err: unknown): Generator<WrappedError> {
  for (let e = err as WrappedError | undefined, depth = 0; e && typeof e === 'object' && depth < 4; e = e.cause as WrappedError | undefined, depth++) yield e
}

/**
 * Did a unique index refuse the row? SQLite says so in words naming the columns
 * (`UNIQUE constraint failed: messages.sender_id, messages.client_id`), PostgreSQL with
 * code 23505 and the index's name.
 */
export function violatesUnique(err: unknown, index: { name: string; sqliteColumns: string }): boolean {
  for (const e of errorChain(err)) {
    if (e.code === '23505' && e.constraint === index.name) return true
    if (typeof e.message === 'string' && e.message.includes(`UNIQUE constraint failed: ${index.sqliteColumns}`)) return true
  }
  return false
}
