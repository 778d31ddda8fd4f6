/** The database as a plugin: `app.db`, closed last when the app closes. */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { openDatabase, type Db } from './client.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
  }
}

export default fp(
  async (app: FastifyInstance) => {
    const db = openDatabase(app.config.databasePath)
    app.decorate('db', db)
    app.addHook('onClose', async () => db.$client.close())
  },
  { name: 'db' },
)
