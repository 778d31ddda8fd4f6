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
import muteRoutes from './routes/mutes.js'
import openRoutes from './routes/open.js'
import pageRoutes from './routes/pages.js'
import preferenceRoutes from './routes/preferences.js'
import rowControlRoutes from './routes/row-controls.js'
import settingsRoutes from './routes/settings.js'
import { createNotificationService, type NotificationService } from './service.js'

declare module 'fastify' {
  interface FastifyInstance {
    notifications: NotificationService
    notificationsLive: NotificationsLive
  }
}

async function notifications(app: FastifyInstance, opts: { now?: () => number }) {
  const service = createNotificationService({ db: app.db, bus: app.bus, now: opts.now })
  app.decorate('notifications', service)
  app.decorate('notificationsLive', wireLive(app, service))
  await app.register(apiRoutes)
  await app.register(pageRoutes)
  await app.register(rowControlRoutes)
  await app.register(openRoutes)
  await app.register(composeRoutes)
  await app.register(preferenceRoutes)
  await app.register(muteRoutes)
  await app.register(settingsRoutes)
  wakeSnoozedEvery(app, service, app.config.snoozeCheckIntervalMs)
}

/**
 * Snoozed notifications come back when due, and quiet hours that ended send their summary: when the server starts listening (rows
 * that fell due while it was down), then on an interval (the CLI never listens). One pass at a time: a tick that finds one still
 * running skips. Closing waits for the pass in flight, so that it does not meet a closed database.
 */
function wakeSnoozedEvery(app: FastifyInstance, service: NotificationService, intervalMs: number) {
  let running: Promise<void> | null = null
  const wake = () =>
    (running ??= (async () => {
      try {
        await service.wakeSnoozed()
        await service.preferences.sendAwaySummaries()
      } catch (err) {
        app.log.error({ err }, 'waking snoozed notifications failed')
      } finally {
        running = null
      }
    })())
  let timer: NodeJS.Timeout | null = null
  let closing = false
  app.addHook('onListen', async () => {
    await wake()
    // Closing may have begun during that first pass (listen does not wait for this hook).
    if (intervalMs > 0 && !timer && !closing) timer = setInterval(wake, intervalMs)
  })
  app.addHook('preClose', async () => {
    closing = true
    if (timer) clearInterval(timer)
    timer = null
    await running
  })
}

export default fp(notifications, { name: 'notifications', dependencies: ['realtime', 'http'] })
