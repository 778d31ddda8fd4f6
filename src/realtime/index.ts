/**
 * The realtime transport as one plugin: the bus (local, or Redis with REDIS_URL),
 * the hub, GET /ws/notifications, and `app.realtime` where domains register their
 * client frames, fragments, topics and what a socket gets on opening.
 */
import fastifyWebsocket from '@fastify/websocket'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { CloseCode } from '../protocol.js'
import { createLocalBus, type Bus } from './bus.js'
import { PushContent } from './content.js'
import { FrameRouter, TopicPolicy } from './frames.js'
import { Hub } from './hub.js'
import { createRedisBus } from './redis-bus.js'
import { handleSocketError } from './socket-errors.js'
import { socketRoutes, type Authenticate, type OpenHandler } from './socket-route.js'
import { localSlots, sharedSlots } from './socket-slots.js'

export interface Realtime {
  frames: FrameRouter
  content: PushContent
  topics: TopicPolicy
  /** What every accepted socket gets first (in registration order). */
  onOpen(handler: OpenHandler): void
}

declare module 'fastify' {
  interface FastifyInstance {
    bus: Bus
    hub: Hub
    realtime: Realtime
  }
}

export interface RealtimeOptions {
  /** A bus to use instead of the one the config implies (tests, several apps on one bus). */
  bus?: Bus
  authenticate: Authenticate
  /** Renders a page partial: the fragments pushed with frames use the page templates. */
  renderPartial(name: string, data: object): string
}

async function realtime(app: FastifyInstance, opts: RealtimeOptions) {
  const { config } = app
  const bus = opts.bus ?? (config.redisUrl ? createRedisBus(config.redisUrl, app.log, { prefix: config.redisPrefix }) : createLocalBus())
  const content = new PushContent(opts.renderPartial)
  const hub = new Hub({
    bus,
    renderContent: content.render,
    maxConnectionsPerUser: config.ws.maxConnectionsPerUser,
    maxBufferedBytes: config.ws.maxBufferedBytes,
    heartbeatMs: config.ws.heartbeatMs,
    log: app.log,
  })
  const frames = new FrameRouter()
  const openHandlers: OpenHandler[] = []
  app.decorate('bus', bus)
  app.decorate('hub', hub)
  app.decorate('realtime', { frames, content, topics: new TopicPolicy(), onOpen: (handler: OpenHandler) => void openHandlers.push(handler) })

  await app.register(fastifyWebsocket, {
    options: { maxPayload: config.ws.maxPayload, perMessageDeflate: false },
    // Protocol errors keep ws's own close frame (socket-errors.ts).
    errorHandler: (error, socket, request) => handleSocketError(request.log, error, socket),
    // Graceful shutdown: the plugin's default preClose closes every socket without a
    // code (clients saw 1005); every socket gets 1012 and reconnects elsewhere.
    preClose: async () => {
      hub.closeAll(CloseCode.restarting, 'server restarting')
      for (const socket of app.websocketServer.clients) socket.close(CloseCode.restarting, 'server restarting')
      await new Promise<void>((resolve) => app.websocketServer.close(() => resolve()))
    },
  })
  const shared = app.sharedRedis
  const slots = shared
    ? sharedSlots({
        redis: shared.client,
        prefix: shared.prefix,
        cap: config.ws.maxConnectionsPerUser,
        heartbeatMs: config.processHeartbeatMs,
        ttlMs: config.processTtlMs,
        isUp: shared.isUp,
        onReady: shared.onReady,
        log: app.log,
      })
    : localSlots
  await app.register(socketRoutes, { authenticate: opts.authenticate, frames, openHandlers, slots })

  // Sockets first (1012: clients reconnect elsewhere), then the bus.
  app.addHook('preClose', async () => {
    hub.closeAll(CloseCode.restarting, 'server restarting')
    await slots.stop()
  })
  app.addHook('onClose', async () => {
    hub.stop()
    await bus.close()
  })
}

export default fp(realtime, { name: 'realtime', dependencies: ['shared-redis'] })
