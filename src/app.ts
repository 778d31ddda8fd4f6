/**
 * buildApp(config): every plugin, the realtime layer and the domains. Tests
 * build this; src/server.ts only listens and shuts down.
 */
import fastifyCookie from '@fastify/cookie'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyFormbody from '@fastify/formbody'
import fastifyHelmet from '@fastify/helmet'
import fastifyJwt from '@fastify/jwt'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import fastifyView from '@fastify/view'
import fastifyWebsocket from '@fastify/websocket'
import type { Eta } from 'eta'
import Fastify, { type FastifyInstance } from 'fastify'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Config } from './config.js'
import { openDatabase, type Db } from './db/client.js'
import { accountsPlugin } from './domains/accounts/index.js'
import { adminRoutes } from './domains/admin/routes.js'
import { blogPlugin } from './domains/blog/index.js'
import { billingPlugin } from './domains/billing/index.js'
import { notificationRoutes } from './domains/notifications/routes.js'
import { socialPlugin } from './domains/social/index.js'
import { createNotificationService, type NotificationService } from './domains/notifications/service.js'
import { createLocalBus, type Bus } from './realtime/bus.js'
import { CloseCode } from './protocol.js'
import { Hub } from './realtime/hub.js'
import { catchUpPlugin } from './realtime/catch-up.js'
import { createRedisBus } from './realtime/redis-bus.js'
import { operationsRoutes } from './web/metrics.js'
import { FrameRouter, socketRoutes, TopicPolicy } from './realtime/socket-route.js'
import { homeRoutes } from './web/home.js'
import { httpPlugin } from './web/http.js'
import { strictNumbers } from './web/schemas.js'
import { PushContent } from './web/push-content.js'
import { createViews, PUBLIC_DIR, VIEWS_DIR } from './web/views.js'
import { asset, assetsPlugin } from './plugins/assets.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    db: Db
    bus: Bus
    hub: Hub
    views: Eta
    notifications: NotificationService
    realtime: { frames: FrameRouter; content: PushContent; topics: TopicPolicy }
  }
}

export interface BuildOptions {
  /** A bus to use instead of the one the config implies (tests, the Redis bus). */
  bus?: Bus
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
  })

  const db = openDatabase(config.databasePath)
  const bus = options.bus ?? (config.redisUrl ? createRedisBus(config.redisUrl, app.log, { prefix: config.redisPrefix }) : createLocalBus())
  const views = createViews(config.env === 'production')
  const content = new PushContent(views)

  app.decorate('config', config)
  app.decorate('db', db)
  app.decorate('bus', bus)
  app.decorate('views', views)

  await app.register(assetsPlugin, { production: config.env === 'production' })
  await app.register(fastifyCookie)
  await app.register(fastifyJwt, { secret: config.jwtSecret })

  const notifications = createNotificationService({ db, bus })
  app.decorate('notifications', notifications)

  const hub = new Hub({
    bus,
    counts: (userId) => notifications.counts(userId),
    broadcastRowId: (userId, fromId, toId) => notifications.broadcastRowId(userId, fromId, toId),
    renderContent: content.render,
    maxConnectionsPerUser: config.ws.maxConnectionsPerUser,
    maxBufferedBytes: config.ws.maxBufferedBytes,
    heartbeatMs: config.ws.heartbeatMs,
    log: app.log,
  })
  app.decorate('hub', hub)
  app.decorate('realtime', { frames: new FrameRouter(), content, topics: new TopicPolicy() })

  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, signed: false },
  })
  await app.register(fastifyFormbody)
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // htmx inserts its indicator styles at runtime.
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: config.cookieSecure ? [] : null,
      },
    },
    strictTransportSecurity: config.cookieSecure,
    // The Referer of a same-site form tells the login page where the user came from.
    referrerPolicy: { policy: 'same-origin' },
  })
  await app.register(fastifyRateLimit, { global: false })
  await app.register(fastifyView, { engine: { eta: views }, root: VIEWS_DIR, defaultContext: { asset } })
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/public/', maxAge: config.env === 'production' ? '1h' : 0 })
  const htmxDist = join(dirname(createRequire(import.meta.url).resolve('htmx.org/package.json')), 'dist')
  await app.register(fastifyStatic, { root: htmxDist, prefix: '/vendor/htmx/', decorateReply: false, allowedPath: (p) => p.endsWith('.js') })
  await app.register(fastifyWebsocket, {
    options: { maxPayload: config.ws.maxPayload, perMessageDeflate: false },
    // Graceful shutdown: the plugin's default preClose runs before ours and closes every
    // socket without a code (clients saw 1005, not PROTOCOL.md's 1012); every socket gets 1012.
    preClose: async () => {
      hub.closeAll(CloseCode.restarting, 'server restarting')
      for (const socket of app.websocketServer.clients) socket.close(CloseCode.restarting, 'server restarting')
      await new Promise<void>((resolve) => app.websocketServer.close(() => resolve()))
    },
  })
  // app.accounts is decorated by the accounts plugin below; the hook asks it per request.
  await app.register(httpPlugin, { resolveToken: (token) => app.accounts.resolveToken(token) })
  await app.register(strictNumbers)

  await app.register(socketRoutes)
  await app.register(homeRoutes)
  await app.register(accountsPlugin)
  await app.register(notificationRoutes)
  await app.register(adminRoutes)
  await app.register(socialPlugin)
  await app.register(blogPlugin)
  await app.register(billingPlugin, { now: options.now })
  await app.register(catchUpPlugin)
  await app.register(operationsRoutes)

  app.get('/healthz', { logLevel: 'warn' }, async () => ({ ok: true, sockets: hub.stats.sockets }))

  // Sockets first (1012: clients reconnect elsewhere), then the bus, then the database.
  app.addHook('preClose', async () => {
    hub.closeAll(CloseCode.restarting, 'server restarting')
  })
  app.addHook('onClose', async () => {
    hub.stop()
    await bus.close()
    db.$client.close()
  })

  return app
}
