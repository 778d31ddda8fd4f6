import { defineConfig } from 'drizzle-kit'

// PostgreSQL migrations from the pgTable mirrors; drizzle.config.ts stays the SQLite one.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.pg.ts',
  out: './migrations-pg',
})
