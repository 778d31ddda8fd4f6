// Every table of every domain, for drizzle-kit and for the typed client.
export * from '../domains/accounts/schema.js'
export * from '../domains/notifications/schema.js'
export * from '../domains/billing/schema.js'
export * from '../domains/blog/schema.js'
export * from '../domains/social/schema.js'
