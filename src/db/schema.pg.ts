// The PostgreSQL mirror of every table in schema.ts, for drizzle-kit (migrations-pg).
export * from '../domains/accounts/schema.pg.js'
export * from '../domains/notifications/schema.pg.js'
export * from '../domains/billing/schema.pg.js'
export * from '../domains/blog/schema.pg.js'
export * from '../domains/social/schema.pg.js'
