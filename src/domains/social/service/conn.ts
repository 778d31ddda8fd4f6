import type { RunResult } from 'better-sqlite3'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import type * as schema from '../../../db/schema.js'

/** Where a query runs: the database, or the transaction a write is inside. */
export type Conn = BaseSQLiteDatabase<'sync', RunResult, typeof schema>
