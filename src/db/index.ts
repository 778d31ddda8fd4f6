/** The database as a plugin: `app.db`, closed last when the app closes, and `app.dbPing()` for /readyz. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'drizzle-orm'
import { checkpointOffThread } from './checkpoint.js'
import { closeDatabase, connectDatabase, type Db, type SqliteDb } from './client.js'
import { dialectOf } from './dialect.js'
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
    if (dialectOf(db) === 'sqlite') checkpointOffThread(app, db as SqliteDb)
    app.decorate('dbPing', () => pingDatabase(db))
    app.addHook('onClose', () => closeDatabase(db))
  },
  { name: 'db' },
)
