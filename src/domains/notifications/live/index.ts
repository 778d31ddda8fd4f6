/**
 * Notifications on the socket: the snapshot every socket gets first, the push of
 * bus events (each id once per socket), the client frames, the fragments, and the
 * catch-up when the Redis bus may have missed events.
 */
import type { FastifyInstance } from 'fastify'
import { isRedisBus } from '../../../realtime/redis-bus.js'
import type { NotificationService } from '../service.js'
import { CatchUp } from './catch-up.js'
import { registerFrames } from './frames.js'
import { NotificationPush } from './push.js'
import { registerRenderers } from './renderers.js'
import { snapshotOnOpen } from './snapshot.js'

export interface NotificationsLive {
  push: NotificationPush
  /** Only with the Redis bus. */
  catchUp: CatchUp | null
}

export function wireLive(app: FastifyInstance, service: NotificationService): NotificationsLive {
  const { hub, realtime, bus } = app
  const push = new NotificationPush(hub, service)
  registerRenderers(realtime.content)
  registerFrames(realtime.frames, service)
  realtime.onOpen(snapshotOnOpen(hub, service, push))
  let catchUp: CatchUp | null = null
  if (isRedisBus(bus)) {
    catchUp = new CatchUp({ hub, service, push, isSessionLive: async (id) => app.accounts.isSessionLive(id), log: app.log })
    catchUp.attach(bus)
    const stop = catchUp
    app.addHook('onClose', async () => stop.stop())
  }
  return { push, catchUp }
}
