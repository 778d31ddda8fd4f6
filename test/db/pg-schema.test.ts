/**
 * The PostgreSQL mirrors (src/db/schema.pg.ts) against the SQLite tables (src/db/schema.ts):
 * the app runs the SQLite table objects on PostgreSQL too, so names, keys, nullability,
 * defaults, keys, indexes and checks must match, and every column type must hand back
 * values the SQLite column classes read the same way. No database needed.
 */
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { getTableColumns, getTableName, is, SQL, type DrizzleEntityClass, type Table } from 'drizzle-orm'
import { getTableConfig as pgConfig, PgDialect, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteConfig, SQLiteSyncDialect, SQLiteTable } from 'drizzle-orm/sqlite-core'
import * as sqliteSchema from '../../src/db/schema.js'
import * as pgSchema from '../../src/db/schema.pg.js'

const sqliteDialect = new SQLiteSyncDialect()
const pgDialect = new PgDialect()
const sqliteText = (s: SQL) => sqliteDialect.sqlToQuery(s).sql
const pgText = (s: SQL) => pgDialect.sqlToQuery(s).sql

/** SQLite default expressions and what the mirror writes instead. */
const DEFAULT_SQL: Record<string, string> = {
  "(unixepoch('subsec') * 1000)": '(extract(epoch from now()) * 1000)::bigint',
}

/** Milliseconds since the epoch and money pass 2^31: int8 on PostgreSQL. */
const isBig = (column: string) => /(_at|_until|_paise)$|^until$/.test(column)

/**
 * A SQLite integer primary key without autoincrement (a key that is also a foreign key)
 * counts as defaulted because SQLite would pick a rowid; the services always set it,
 * and on PostgreSQL it has no default.
 */
const rowidAlias = (c: { columnType: string; primary: boolean; autoIncrement?: boolean }) =>
  c.columnType === 'SQLiteInteger' && c.primary && !c.autoIncrement

function tablesOf<T extends Table>(schema: object, kind: DrizzleEntityClass<T>): Map<string, T> {
  const found = new Map<string, T>()
  for (const value of Object.values(schema)) if (is(value, kind)) found.set(getTableName(value), value)
  return found
}

const sqliteTables = tablesOf(sqliteSchema, SQLiteTable)
const pgTables = tablesOf(pgSchema, PgTable)

t.test('every SQLite table has exactly one mirror and vice versa', async (t) => {
  t.ok(sqliteTables.size > 20, `${sqliteTables.size} tables`)
  t.strictSame([...pgTables.keys()].sort(), [...sqliteTables.keys()].sort(), 'same table names')
  const exported = (schema: object, kind: any) => Object.values(schema).filter((v) => is(v, kind)).length
  t.equal(exported(pgSchema, PgTable), pgTables.size, 'no table name exported twice by the mirror')
})

/** The PostgreSQL class that hands back what the SQLite column class reads. */
function expectedType(column: { name: string; columnType: string }): string {
  if (column.columnType === 'SQLiteText') return 'PgText'
  if (column.columnType === 'SQLiteBoolean') return 'PgBoolean'
  if (column.columnType === 'SQLiteInteger') return isBig(column.name) ? 'PgBigInt53' : 'PgInteger'
  return `no PostgreSQL type for ${column.columnType}`
}

for (const [name, sqliteTable] of sqliteTables) {
  const pgTable = pgTables.get(name)
  if (!pgTable) continue
  t.test(name, async (t) => {
    const s = sqliteConfig(sqliteTable)
    const p = pgConfig(pgTable)
    const sCols = getTableColumns(sqliteTable)
    const pCols = getTableColumns(pgTable)
    t.strictSame(
      Object.entries(pCols).map(([key, c]) => [key, c.name]),
      Object.entries(sCols).map(([key, c]) => [key, c.name]),
      'same TypeScript keys and column names, in order',
    )
    const booleans = s.columns.filter((c) => c.columnType === 'SQLiteBoolean').map((c) => c.name)
    // Booleans are 0/1 in SQLite's SQL text and false/true in PostgreSQL's.
    const adapt = (text: string) =>
      booleans.reduce((acc, b) => acc.replace(new RegExp(`\\b${b} = 0\\b`, 'g'), `${b} = false`).replace(new RegExp(`\\b${b} = 1\\b`, 'g'), `${b} = true`), text)

    // One row per column: what the SQLite column asks for, and what the mirror has.
    const expected = s.columns.map((c) => ({
      name: c.name,
      notNull: c.notNull,
      primary: c.primary,
      hasDefault: c.hasDefault && !rowidAlias(c),
      unique: c.isUnique ? c.uniqueName : false,
      type: expectedType(c),
      identity: (c as { autoIncrement?: boolean }).autoIncrement ? 'byDefault' : undefined,
      default: is(c.default, SQL) ? (DEFAULT_SQL[sqliteText(c.default)] ?? sqliteText(c.default)) : c.default,
    }))
    const actual = p.columns.map((c) => ({
      name: c.name,
      notNull: c.notNull,
      primary: c.primary,
      hasDefault: c.hasDefault,
      unique: c.isUnique ? c.uniqueName : false,
      type: c.columnType,
      identity: c.generatedIdentity?.type,
      default: is(c.default, SQL) ? pgText(c.default) : c.default,
    }))
    t.strictSame(actual, expected, 'columns: notNull, primary key, default, unique, type, identity')

    const pks = (list: Array<{ getName(): string; columns: Array<{ name: string }> }>) => list.map((k) => [k.getName(), k.columns.map((c) => c.name)])
    t.strictSame(pks(p.primaryKeys), pks(s.primaryKeys), 'composite primary keys')

    const indexes = (list: Array<{ config: { name?: string; unique: boolean; columns: any[]; where?: SQL } }>, text: (s: SQL) => string) =>
      list
        .map(({ config: i }) => ({ name: i.name, unique: i.unique, columns: i.columns.map((c) => c.name), where: i.where ? text(i.where) : null }))
        .sort((a, b) => String(a.name).localeCompare(String(b.name)))
    t.strictSame(indexes(p.indexes, pgText), indexes(s.indexes, (w) => adapt(sqliteText(w))), 'indexes: names, unique, columns, partial where')

    const fks = (list: Array<{ getName(): string; reference(): any; onDelete?: string; onUpdate?: string }>) =>
      list
        .map((fk) => {
          const r = fk.reference()
          return {
            name: fk.getName(),
            columns: r.columns.map((c: any) => c.name),
            target: getTableName(r.foreignTable),
            foreignColumns: r.foreignColumns.map((c: any) => c.name),
            // Unset on SQLite means what PostgreSQL's builder spells out.
            onDelete: fk.onDelete ?? 'no action',
            onUpdate: fk.onUpdate ?? 'no action',
          }
        })
        .sort((a, b) => a.name.localeCompare(b.name))
    t.strictSame(fks(p.foreignKeys), fks(s.foreignKeys), 'foreign keys: columns, target, onDelete')

    const checks = (list: Array<{ name: string; value: SQL }>, text: (s: SQL) => string) =>
      list.map((c) => [c.name, text(c.value)]).sort((a, b) => a[0]!.localeCompare(b[0]!))
    t.strictSame(checks(p.checks, pgText), checks(s.checks, (v) => adapt(sqliteText(v))), 'checks: names and expressions')

    t.strictSame(p.uniqueConstraints.map((u) => u.getName()).sort(), s.uniqueConstraints.map((u) => u.getName()).sort(), 'table-level unique constraints')
  })
}

t.test('migrations-pg name no schema: the tables go to the connection search_path', async (t) => {
  const dir = new URL('../../migrations-pg/', import.meta.url)
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql'))) {
    const text = readFileSync(new URL(file, dir), 'utf8')
    t.notMatch(text, /"public"\./, `${file} has no "public". (npm run db:generate:pg removes what drizzle-kit writes)`)
  }
})
