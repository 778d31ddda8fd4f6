/**
 * The notifications domain as one plugin: the service (`app.notifications`), the
 * inbox API and pages, the administrators' compose screen, and its live side
 * (`app.notificationsLive`: snapshot, push, frames, fragments, catch-up).
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { wireLive, type NotificationsLive } from './live/index.js'
import apiRoutes from './routes/api.js'
import composeRoutes from './routes/compose.js'
import pageRoutes from './routes/pages.js'
import { createNotificationService, type NotificationService } from './service.js'

declare module 'fastify' {
  interface FastifyInstance {
    notifications: NotificationService
    notificationsLive: NotificationsLive
  }
}

async function notifications(app: FastifyInstance) {
  const service = createNotificationService({ db: app.db, bus: app.bus })
  app.decorate('notifications', service)
  app.decorate('notificationsLive', wireLive(app, service))
  await app.register(apiRoutes)
  await app.register(pageRoutes)
  await app.register(composeRoutes)
}

export default fp(notifications, { name: 'notifications', dependencies: ['realtime', 'http'] })
