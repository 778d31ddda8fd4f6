/**
 * Catch-up after the bus may have missed events for some users: when Redis came
 * back after an outage, or right after a user's channel was subscribed (a socket
 * opened here a moment before the subscription took effect).
 *
 * For every socket this process holds of those users, the notifications committed
 * after the newest one the socket has seen are written to it (oldest first, at
 * most the replay limit), so nothing committed meanwhile is lost. After an outage
 * each of those users also gets a fresh count_update (reads on other processes),
 * and sockets whose login was revoked meanwhile are closed with 4401.
 * A notification may then arrive twice with the same id (the publisher's queued
 * publish after the catch-up); clients key notifications by id (public/app.js does).
 */
import type { FastifyInstance } from 'fastify'
import { CloseCode } from './frames.js'
import type { RedisBus, ResyncReason } from './redis-bus.js'

const CHUNK = 500

export function isRedisBus(bus: { kind: string }): bus is RedisBus {
  return bus.kind === 'redis'
}

export function createCatchUp(app: FastifyInstance) {
  const { hub, notifications } = app
  const liveSession = app.db.$client
    .prepare('SELECT 1 FROM sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?')
    .pluck()
  const stats = { runs: 0, replayed: 0, revokedClosed: 0 }

  function catchUpUser(userId: number, reason: ResyncReason) {
    const set = hub.users.get(userId)
    if (!set) return
    const last = notifications.lastId(userId)
    let counts = null
    for (const client of [...set]) {
      if (reason === 'reconnected' && !liveSession.get(client.sessionId, Date.now())) {
        hub.close(client, CloseCode.unauthorized, 'logged out')
        stats.revokedClosed++
        continue
      }
      if (client.lastNotificationId >= last) continue
      const missed = notifications.since(userId, client.lastNotificationId).notifications
      counts ??= notifications.counts(userId)
      for (const notification of missed) hub.send(client, { type: 'notification', notification, ...counts })
      stats.replayed += missed.length
    }
    if (reason === 'reconnected') hub.pushCounts(userId)
  }

  async function run(userIds: number[], reason: ResyncReason) {
    stats.runs++
    for (let i = 0; i < userIds.length; i++) {
      if (i > 0 && i % CHUNK === 0) await new Promise((resolve) => setImmediate(resolve))
      try {
        catchUpUser(userIds[i]!, reason)
      } catch (err) {
        app.log.error({ err, userId: userIds[i] }, 'catch-up failed for a user')
      }
    }
    if (reason === 'reconnected') app.log.info({ users: userIds.length, replayed: stats.replayed }, 'caught up after the Redis outage')
  }

  return { run, stats }
}

/** Wires the catch-up to the Redis bus (no-op for the local bus, which cannot miss events). */
export async function catchUpPlugin(app: FastifyInstance) {
  const bus = app.bus
  if (!isRedisBus(bus)) return
  const catchUp = createCatchUp(app)
  bus.onResync((userIds, reason) => void catchUp.run(userIds, reason))
}
