/**
 * buildApp(config): registers every plugin, in dependency order. Tests build
 * this; src/server.ts only listens and shuts down.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import database from './db/index.js'
import { accountsPlugin } from './domains/accounts/index.js'
import { authenticateSocket } from './domains/accounts/live.js'
import { billingPlugin } from './domains/billing/index.js'
import { blogPlugin } from './domains/blog/index.js'
import notifications from './domains/notifications/index.js'
import { socialPlugin } from './domains/social/index.js'
import operations from './operations/index.js'
import { assetsPlugin } from './plugins/assets.js'
import securityHeaders from './plugins/helmet.js'
import session from './plugins/session.js'
import sharedRedis from './plugins/shared-redis.js'
import staticFiles from './plugins/static.js'
import views from './plugins/views.js'
import type { Bus } from './realtime/bus.js'
import realtime from './realtime/index.js'
import { homeRoutes } from './web/home.js'
import { httpPlugin } from './web/http.js'
import { schemaController } from './web/schema-compilers.js'
import { strictNumbers } from './web/schemas.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface BuildOptions {
  /** A bus to use instead of the one the config implies (tests, several apps on one bus). */
  bus?: Bus
  /** The clock of billing's due dates (tests). */
  now?: () => number
}

/** Query-string secrets (`?token=`) never reach the logs. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&]*/gi, '$1[redacted]')
}

export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      serializers: {
        req: (req) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
      },
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    },
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    schemaController,
  })
  app.decorate('config', config)

  await app.register(database)
  await app.register(sharedRedis)
  await app.register(assetsPlugin, { production: config.env === 'production' })
  await app.register(session)
  await app.register(securityHeaders)
  await app.register(views)
  await app.register(staticFiles)
  await app.register(realtime, {
    bus: options.bus,
    authenticate: authenticateSocket,
    renderPartial: (name, data) => app.views.render(name, data),
  })
  // app.accounts is decorated by the accounts plugin below; the hook asks it per request.
  await app.register(httpPlugin, { resolveToken: async (token) => app.accounts.resolveToken(token) })
  await app.register(strictNumbers)

  await app.register(homeRoutes)
  await app.register(accountsPlugin)
  await app.register(notifications, { now: options.now })
  await app.register(socialPlugin)
  await app.register(blogPlugin)
  await app.register(billingPlugin, { now: options.now })
  await app.register(operations)
  return app
}
