import { defineConfig } from 'drizzle-kit'

// PostgreSQL migrations from the pgTable mirrors; drizzle.config.ts stays the SQLite one.
// `npm run db:generate:pg` then removes drizzle-kit's "public". qualifiers from the SQL, so the
// tables go to the connection's search_path: a site can live in a schema of its own (the
// tests give each app one), and test/db/pg-schema.test.ts checks no migration names a schema.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.pg.ts',
  out: './migrations-pg',
})
