/**
 * Catch-up after the bus may have missed events for some users: when Redis came
 * back after an outage, or right after a user's channel was subscribed (a socket
 * opened here a moment before the subscription took effect).
 *
 * Every socket this process holds of those users is sent, oldest first, the rows
 * of its user above what it is known to have (client.delivered), so nothing
 * committed meanwhile is lost; a row it already had is skipped, so nothing comes
 * twice either, whatever the order of the catch-up, the resubscription and late
 * copies from the bus (push.ts drops those). After an outage each of those users
 * also gets a fresh count_update (reads on other processes), and sockets whose
 * login was revoked meanwhile close with 4401.
 *
 * While Redis is away the same catch-up runs every OUTAGE_POLL_MS from the shared
 * database, so the sockets of this process still get what any process committed,
 * a little late, instead of nothing until Redis returns; a count_update goes out
 * when a user's counts changed (reads elsewhere).
 */
import { CloseCode, type Counts } from '../../../protocol.js'
import type { Client, Hub } from '../../../realtime/hub.js'
import type { RedisBus, ResyncReason } from '../../../realtime/redis-bus.js'
import { Slicer } from '../../../realtime/slices.js'
import type { NotificationService } from '../service.js'
import type { NotificationPush } from './push.js'

/** While Redis is away: how often the database is checked for what the bus cannot bring. */
export const OUTAGE_POLL_MS = 3000
/** Pages of REPLAY_LIMIT rows a socket is caught up by, at most, per run. */
const MAX_PAGES = 5

export type CatchUpReason = ResyncReason | 'outage'

export interface CatchUpStats {
  runs: number
  replayed: number
  revokedClosed: number
}

export interface CatchUpDeps {
  hub: Hub
  service: NotificationService
  push: NotificationPush
  isSessionLive(sessionId: string): Promise<boolean>
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }
}

export class CatchUp {
  readonly stats: CatchUpStats = { runs: 0, replayed: 0, revokedClosed: 0 }
  /** Counts each user was last sent during an outage (to push only changes). */
  private outageCounts = new Map<number, string>()
  private poller: NodeJS.Timeout | null = null
  private polling: Promise<void> | null = null

  constructor(private readonly deps: CatchUpDeps) {}

  /** Wires it to a Redis bus (the local bus cannot miss events). */
  attach(bus: RedisBus): void {
    bus.onDown(() => void this.down().catch((err: unknown) => this.deps.log.error({ err }, 'reading counts at a Redis outage failed')))
    bus.onResync((userIds, reason) => void this.run(userIds, reason))
  }

  /** The bus lost Redis: poll the database until it is back. */
  async down(): Promise<void> {
    if (!this.poller) {
      this.poller = setInterval(() => void this.poll(), OUTAGE_POLL_MS)
      this.poller.unref()
    }
    for (const userId of [...this.deps.hub.users.keys()]) this.outageCounts.set(userId, JSON.stringify(await this.deps.service.counts(userId)))
  }

  /** One outage poll (skipped while the previous one still runs). */
  poll(): Promise<void> {
    this.polling ??= this.run([...this.deps.hub.users.keys()], 'outage').finally(() => (this.polling = null))
    return this.polling
  }

  stop(): void {
    if (this.poller) clearInterval(this.poller)
    this.poller = null
    this.outageCounts = new Map()
  }

  async run(userIds: number[], reason: CatchUpReason): Promise<void> {
    this.stats.runs++
    if (reason === 'reconnected') this.stop()
    // Back from an outage, new rows are pushed at once while the rows missed meanwhile
    // are still to be read: each socket is held (its pushes wait, as during its opening)
    // until its catch-up went out ahead of them, so its ids keep their order and a client
    // resuming later with since=<largest id seen> has everything below it. Taken in this
    // turn, before any push of the resubscribed channels is written.
    const held = reason === 'reconnected' ? this.hold(userIds) : null
    const replayedBefore = this.stats.replayed
    const slicer = new Slicer()
    try {
      for (let i = 0; i < userIds.length; i++) {
        const wait = slicer.pause(i)
        if (wait) await wait
        try {
          await this.catchUpUser(userIds[i]!, reason, held)
        } catch (err) {
          this.deps.log.error({ err, userId: userIds[i] }, 'catch-up failed for a user')
        }
      }
    } finally {
      if (held) for (const client of held) this.deps.hub.release(client)
    }
    if (reason === 'reconnected') {
      this.deps.log.info({ users: userIds.length, replayed: this.stats.replayed - replayedBefore }, 'caught up after the Redis outage')
    }
  }

  /** Holds the sockets of these users that are not held already (an opening holds its own). */
  private hold(userIds: number[]): Set<Client> {
    const held = new Set<Client>()
    for (const userId of userIds) {
      for (const client of this.deps.hub.users.get(userId) ?? []) {
        if (client.held) continue
        this.deps.hub.hold(client)
        held.add(client)
      }
    }
    return held
  }

  private async catchUpUser(userId: number, reason: CatchUpReason, held: Set<Client> | null): Promise<void> {
    const { hub, service, push } = this.deps
    const set = hub.users.get(userId)
    if (!set) return
    let counts: Counts | null = null
    for (const client of [...set]) {
      const ahead = held?.has(client) ?? false
      try {
        if (reason !== 'subscribed' && !await this.deps.isSessionLive(client.sessionId)) {
          hub.close(client, CloseCode.unauthorized, 'logged out')
          this.stats.revokedClosed++
          continue
        }
        counts = await this.replay(client, counts, ahead)
      } finally {
        if (ahead) {
          held!.delete(client)
          hub.release(client)
        }
      }
    }
    if (reason === 'reconnected') push.countUpdates.push(userId)
    else if (reason === 'outage') {
      const now = JSON.stringify(counts ?? await service.counts(userId))
      if (this.outageCounts.get(userId) !== now) {
        if (!counts) push.countUpdates.push(userId)
        this.outageCounts.set(userId, now)
      }
    }
  }

  /** Sends the socket every row of its user it does not have yet; the counts sent with them, if any. */
  private async replay(client: Client, counts: Counts | null, ahead = false): Promise<Counts | null> {
    const { service, push } = this.deps
    // A socket still reading its snapshot has nothing in `delivered` yet: read from 0, it
    // would be sent every row it is about to get in `initial` (or its since= replay).
    // After it, its floor is the snapshot's last id, and the rows above are what the
    // bus may have missed since.
    if (client.opening) await client.opening
    let cursor = client.delivered.floor
    for (let page = 0; page < MAX_PAGES; page++) {
      const { notifications, truncated } = await service.since(client.userId, cursor)
      for (const notification of notifications) {
        counts ??= await service.counts(client.userId)
        if (await push.sendOnce(client, notification, counts, ahead)) this.stats.replayed++
      }
      if (notifications.length) cursor = notifications[notifications.length - 1]!.id
      // The database was read up to here: the socket has every row of its user up to it.
      if (!truncated) {
        client.delivered.complete(cursor)
        break
      }
    }
    return counts
  }
}
