/** PostgreSQL mirrors of the billing tables (schema.ts), for drizzle-kit. */
export * from './schema/parties.pg.js'
export * from './schema/invoices.pg.js'
export * from './schema/notes.pg.js'
