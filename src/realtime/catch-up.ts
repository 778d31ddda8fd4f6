/**
 * Catch-up after the bus may have missed events for some users: when Redis came
 * back after an outage, or right after a user's channel was subscribed (a socket
 * opened here a moment before the subscription took effect).
 *
 * For every socket this process holds of those users, the notifications committed
 * after the newest one the socket had seen when the gap began are written to it
 * (oldest first, at most the replay limit), so nothing committed meanwhile is
 * lost. After an outage each of those users also gets a fresh count_update (reads
 * on other processes), and sockets whose login was revoked meanwhile are closed
 * with 4401.
 *
 * While Redis is away, the same catch-up runs every few seconds (OUTAGE_POLL_MS)
 * from the shared database, so the sockets of this process still get what any
 * process committed, a little late, instead of nothing until Redis returns; a
 * count_update goes out when a user's counts changed (reads elsewhere).
 *
 * Late copies: events are published after commit, so an event published before
 * the catch-up read the database is already in what the catch-up wrote. Such a
 * copy arriving afterwards (e.g. a publish that waited in another process's
 * queue during the outage) is dropped, but only for ids every socket of the user
 * was sent by the replay; anything else is delivered (a duplicate, same id, is
 * possible in rare orderings; a loss is not).
 */
import type { FastifyInstance } from 'fastify'
import type { BusEvent } from './bus.js'
import { CloseCode } from '../protocol.js'
import type { Client } from './hub.js'
import type { RedisBus, ResyncReason } from './redis-bus.js'

const CHUNK = 500
/** How long a catch-up's cover is kept (a publish may wait that long in a queue). */
const COVER_MS = 5 * 60_000
/** While Redis is away: how often the database is checked for what the bus cannot bring. */
export const OUTAGE_POLL_MS = 3000

export type CatchUpReason = ResyncReason | 'outage'

export interface CatchUpStats {
  runs: number
  replayed: number
  revokedClosed: number
  droppedLateCopies: number
}

const statsByBus = new WeakMap<object, CatchUpStats>()

/** The catch-up figures of the app using this bus (for /metrics), if any. */
export function catchUpStatsOf(bus: object): CatchUpStats | undefined {
  return statsByBus.get(bus)
}

export function isRedisBus(bus: { kind: string }): bus is RedisBus {
  return bus.kind === 'redis'
}

export function createCatchUp(app: FastifyInstance) {
  const { hub, notifications } = app
  const liveSession = app.db.$client
    .prepare('SELECT 1 FROM sessions WHERE id = ? AND revoked_at IS NULL AND expires_at > ?')
    .pluck()
  const stats: CatchUpStats = { runs: 0, replayed: 0, revokedClosed: 0, droppedLateCopies: 0 }
  statsByBus.set(app.bus, stats)
  /** The newest id each socket had seen when the bus went down. */
  let resumeFrom = new WeakMap<Client, number>()
  /** Per user: when the last catch-up read the database, and the ids (from, upTo] it wrote to every socket. */
  const covered = new Map<number, { at: number; from: number; upTo: number }>()
  const sweep = setInterval(() => {
    const cutoff = Date.now() - COVER_MS
    for (const [userId, c] of covered) if (c.at < cutoff) covered.delete(userId)
  }, 60_000)
  sweep.unref()

  /** Counts each user was last sent during an outage (to push only changes). */
  let outageCounts = new Map<number, string>()
  let poller: NodeJS.Timeout | null = null
  let polling = false

  /** The bus lost Redis: remember where each socket stands, then poll the database until it is back. */
  function down() {
    for (const [userId, set] of hub.users) {
      for (const client of set) resumeFrom.set(client, client.lastNotificationId)
      outageCounts.set(userId, JSON.stringify(notifications.counts(userId)))
    }
    if (poller) return
    poller = setInterval(() => {
      if (polling) return
      polling = true
      void run([...hub.users.keys()], 'outage').finally(() => (polling = false))
    }, OUTAGE_POLL_MS)
    poller.unref()
  }

  function stopPolling() {
    if (poller) clearInterval(poller)
    poller = null
    outageCounts = new Map()
  }

  function catchUpUser(userId: number, reason: CatchUpReason) {
    const set = hub.users.get(userId)
    if (!set) return
    const at = Date.now()
    const last = notifications.lastId(userId)
    let counts = null
    let maxFrom = 0
    for (const client of [...set]) {
      if (reason !== 'subscribed' && !liveSession.get(client.sessionId, Date.now())) {
        hub.close(client, CloseCode.unauthorized, 'logged out')
        stats.revokedClosed++
        continue
      }
      // A socket that was here before the outage resumes from where it stood then. A
      // socket that opened since has had no bus events yet: its snapshot holds every
      // id up to its last_id, so it is complete below `from`.
      const before = resumeFrom.get(client)
      const from = before === undefined ? client.lastNotificationId : Math.min(before, client.lastNotificationId)
      if (before !== undefined) maxFrom = Math.max(maxFrom, from)
      let reached = from
      if (from < last) {
        const missed = notifications.since(userId, from).notifications
        counts ??= notifications.counts(userId)
        for (const notification of missed) hub.send(client, { type: 'notification', notification, ...counts })
        stats.replayed += missed.length
        if (missed.length) reached = missed[missed.length - 1]!.id
      }
      // During an outage the database is the only source: the socket is complete up to `reached`.
      if (reason === 'outage') resumeFrom.set(client, reached)
    }
    if (maxFrom < last) {
      const c = covered.get(userId)
      // Consecutive catch-ups of one outage cover one growing range.
      const merged = c && c.from <= maxFrom && maxFrom <= c.upTo
      covered.set(userId, { at, from: merged ? c.from : maxFrom, upTo: merged ? Math.max(last, c.upTo) : last })
    }
    if (reason === 'reconnected') hub.pushCounts(userId)
    else if (reason === 'outage') {
      const now = JSON.stringify(counts ?? notifications.counts(userId))
      if (outageCounts.get(userId) !== now) {
        if (!counts) hub.pushCounts(userId)
        outageCounts.set(userId, now)
      }
    }
  }

  async function run(userIds: number[], reason: CatchUpReason) {
    stats.runs++
    if (reason === 'reconnected') stopPolling()
    const replayedBefore = stats.replayed
    for (let i = 0; i < userIds.length; i++) {
      if (i > 0 && i % CHUNK === 0) await new Promise((resolve) => setImmediate(resolve))
      try {
        catchUpUser(userIds[i]!, reason)
      } catch (err) {
        app.log.error({ err, userId: userIds[i] }, 'catch-up failed for a user')
      }
    }
    if (reason === 'reconnected') {
      resumeFrom = new WeakMap()
      app.log.info({ users: userIds.length, replayed: stats.replayed - replayedBefore }, 'caught up after the Redis outage')
    }
  }

  /** Drops notify recipients whose row a catch-up already wrote to every socket (published before it read). */
  function dropCovered(event: BusEvent): BusEvent | null {
    if (event.type !== 'notify' || covered.size === 0) return event
    const recipients = event.recipients.filter(([userId, id]) => {
      const c = covered.get(userId)
      return !(c && event.at <= c.at && id > c.from && id <= c.upTo)
    })
    if (recipients.length === event.recipients.length) return event
    stats.droppedLateCopies += event.recipients.length - recipients.length
    return recipients.length ? { ...event, recipients } : null
  }

  return {
    run,
    down,
    dropCovered,
    stats,
    stop: () => {
      clearInterval(sweep)
      stopPolling()
    },
  }
}

/** Wires the catch-up to the Redis bus (no-op for the local bus, which cannot miss events). */
export async function catchUpPlugin(app: FastifyInstance) {
  const bus = app.bus
  if (!isRedisBus(bus)) return
  const catchUp = createCatchUp(app)
  bus.onDown(catchUp.down)
  bus.onResync((userIds, reason) => void catchUp.run(userIds, reason))
  bus.setFilter(catchUp.dropCovered)
  app.addHook('onClose', async () => catchUp.stop())
}
