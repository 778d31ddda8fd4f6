/**
 * The few places where SQLite and PostgreSQL spell a query differently. Everything else in
 * the services is drizzle's portable subset (awaited builders, `returning`), which both
 * dialects build from the same table objects.
 */
import { is, sql, type SQL, type SQLWrapper } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'

export type Dialect = 'sqlite' | 'postgres'

/** Which database a connection, a transaction or a query builder talks to. */
export function dialectOf(db: object): Dialect {
  return is((db as { dialect?: unknown }).dialect, PgDialect) ? 'postgres' : 'sqlite'
}

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
