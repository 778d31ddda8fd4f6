/** The database as a plugin: `app.db`, closed last when the app closes, and `app.dbPing()` for /readyz. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'drizzle-orm'
import { closeDatabase, connectDatabase, type Db } from './client.js'
import { rows } from './raw.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    /** Resolves when the database answers a trivial query; rejects (or never settles) when it cannot. */
    dbPing(): Promise<void>
  }
}

/** A trivial query: a closed handle throws. */
export async function pingDatabase(db: Db): Promise<void> {
  await rows(db, sql`select 1`)
}

export default fp(
  async (app: FastifyInstance) => {
    const db = await connectDatabase(app.config)
    app.decorate('db', db)
    app.decorate('dbPing', () => pingDatabase(db))
    app.addHook('onClose', () => closeDatabase(db))
  },
  { name: 'db' },
)
