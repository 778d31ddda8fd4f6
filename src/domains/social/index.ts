/**
 * Social: friends (/friends, /api/friends/...), direct messages (/messages,
 * /api/conversations/..., POST /api/messages), presence and typing.
 */
import fp from 'fastify-plugin'
import { isRedisBus } from '../../realtime/redis-bus.js'
import { toPublicUser } from '../accounts/service.js'
import { socialLive } from './live.js'
import { socialRoutes } from './routes/index.js'
import { createSocialService, type People, type SocialService } from './service/index.js'
import { RedisPresenceStore } from './service/presence-redis.js'
import { MemoryPresenceStore } from './service/presence-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    social: SocialService
  }
}

export const socialPlugin = fp(
  async (app) => {
    const { accounts } = app
    const people: People = {
      byIds: async (ids) => new Map((await accounts.resolveUsers({ ids })).found.map((u) => [u.id, toPublicUser(u)])),
      search: async (query, limit) => (await accounts.search(query, limit)).map(toPublicUser),
    }
    // Presence lives in Redis when several processes serve the site, else in this process.
    const shared = app.sharedRedis
    const social = createSocialService({
      db: app.db,
      bus: app.bus,
      people,
      notifications: app.notifications,
      presence: {
        local: { isOnline: (userId) => app.hub.isOnline(userId), userIds: () => app.hub.users.keys() },
        store: shared ? new RedisPresenceStore(shared.client, shared.prefix, app.config.processTtlMs) : new MemoryPresenceStore(),
        onStoreReady: shared?.onReady,
        busReady: () => (isRedisBus(app.bus) ? Promise.race([app.bus.ready(), new Promise<void>((r) => setTimeout(r, 10_000).unref())]) : Promise.resolve()),
        graceMs: app.config.presenceGraceMs,
        heartbeatMs: app.config.processHeartbeatMs,
        log: app.log,
      },
      typingTimeoutMs: app.config.typingTimeoutMs,
    })
    app.decorate('social', social)
    app.notifications.mutes.allow(
      'conversation',
      async (userId, id) => social.isParticipant(userId, id),
      async (userId, id) => `Conversation with @${(await social.conversation(userId, id)).other.username}`,
    )
    const userNamed = async (id: number) => (await app.accounts.resolveUsers({ ids: [id] })).found[0]?.username
    app.notifications.mutes.allow('user', async (_userId, id) => await userNamed(id) !== undefined, async (_userId, id) => (await userNamed(id) ? `@${await userNamed(id)}` : null))
    app.notifications.setUnreadMessagesCounter({
      one: async (userId) => social.unreadMessagesCount(userId),
      many: async (userIds) => social.unreadMessagesCounts(userIds),
    })
    const live = socialLive(app, social)
    social.presence.start()

    // The navbar's pending-requests badge: read only when a page renders it.
    app.pageLocalsOf.set('pendingFriendRequests', (userId) => social.pendingRequestCount(userId))
    app.addHook('preClose', async () => {
      live.stop()
      await social.stop()
    })

    await app.register(socialRoutes)
  },
  { name: 'social', dependencies: ['http', 'accounts'], decorators: { fastify: ['db', 'bus', 'hub', 'realtime', 'notifications', 'sharedRedis'] } },
)
