/** The database as a plugin: `app.db`, closed last when the app closes, and `app.dbPing()` for /readyz. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { checkpointOffThread } from './checkpoint.js'
import { openDatabase, type Db } from './client.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    /** Resolves when the database answers a trivial query; rejects (or never settles) when it cannot. */
    dbPing(): Promise<void>
  }
}

/** A trivial query: a closed handle throws. */
export async function pingDatabase(db: Db): Promise<void> {
  db.$client.prepare('select 1').get()
}

export default fp(
  async (app: FastifyInstance) => {
    const db = openDatabase(app.config.databasePath)
    app.decorate('db', db)
    checkpointOffThread(app, db)
    app.decorate('dbPing', () => pingDatabase(db))
    app.addHook('onClose', async () => db.$client.close())
  },
  { name: 'db' },
)
