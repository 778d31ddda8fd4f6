/**
 * Notification events from the bus to this process's sockets, each id once per
 * socket (client.delivered) whichever path brought it first: the push, the connect
 * snapshot, a replay or a catch-up, or a late copy after a Redis outage. A grouped
 * rewrite (`updated`) is the one exception: its content changed, so it goes again.
 */
import { IN_LIST } from '../../../db/prepared.js'
import type { Alert, Counts, NotificationDTO, NotificationFrame } from '../../../protocol.js'
import { CoalescedFrames } from '../../../realtime/coalesced.js'
import type { Client, Hub } from '../../../realtime/hub.js'
import { Slicer } from '../../../realtime/slices.js'
import type { Encoded, Slot } from '../../../realtime/outgoing.js'
import type { NotificationTemplate } from '../events.js'
import type { NotificationService } from '../service.js'

/** Stands for the notification id in a fan-out's shared frame; no real id gets this large. */
const PLACEHOLDER_ID = Number.MAX_SAFE_INTEGER
const PLACEHOLDER_TEXT = String(PLACEHOLDER_ID)

/**
 * A shared frame's pieces joined with this recipient's id, as bytes: one copy into
 * Buffer's pool, which the socket then writes as it is. A joined string would be built
 * on the heap (garbage a moment later), then measured and copied again by the write.
 */
function withId(parts: Buffer[], id: Buffer): Buffer {
  const pieces: Buffer[] = [parts[0]!]
  for (let k = 1; k < parts.length; k++) pieces.push(id, parts[k]!)
  return Buffer.concat(pieces)
}

export interface PushStats {
  /** Copies of a notification a socket already had, not sent again. */
  repeatsDropped: number
}

/** A recipient's sockets, each with its place in its frame order (fanOut). */
type Places = Array<[Client, Slot]>

export class NotificationPush {
  readonly stats: PushStats = { repeatsDropped: 0 }
  /** count_update frames: coalesced per user, held back from sockets that are behind. */
  readonly countUpdates: CoalescedFrames

  constructor(
    private readonly hub: Hub,
    private readonly service: NotificationService,
  ) {
    this.countUpdates = new CoalescedFrames(hub, async (userId) => ({ type: 'count_update', ...await service.counts(userId) }))
    hub.onEvent('notify', (event) =>
      this.fanOut(
        event.recipients.filter(([userId]) => hub.users.has(userId)),
        event.template,
        !event.updated,
      ),
    )
    hub.onEvent('notify_all', async (event) => {
      // Every online socket's place in its frame order is taken now, as a notify's are:
      // a notification published while the rows' ids are read (~100 ms for 19,000 users)
      // queues behind the broadcast instead of overtaking it.
      const reserved = new Map<Client, Slot>()
      for (const clients of hub.users.values()) for (const client of clients) reserved.set(client, hub.reserve(client))
      const online = [...hub.users.keys()]
      // The reservations (10-35 ms for 19,000 sockets in a server with a large heap) are one
      // turn of the event loop, each slice's reads and frames the next ones (bench/README.md).
      const slicer = new Slicer()
      try {
        // Each online user's row, IN_LIST users per query, and that slice's frames before the
        // next slice is read: the first sockets have it a few ms after the insert, not once
        // every row was read (~100 ms for 19,000 users).
        for (let i = 0; i < online.length; i += IN_LIST) {
          await slicer.next()
          const userIds = online.slice(i, i + IN_LIST)
          const rowIds = await service.broadcastRowIds(userIds, event.fromId, event.toId)
          const recipients: Array<[number, number]> = []
          for (const userId of userIds) {
            const id = rowIds.get(userId)
            if (id !== undefined && hub.users.has(userId)) recipients.push([userId, id])
          }
          await this.fanOut(recipients, event.template, true, reserved, slicer)
        }
      } finally {
        // Places nobody filled (gone, no row, had it already): let go empty.
        for (const [client, slot] of reserved) hub.fill(client, slot, null)
      }
    })
    hub.onEvent('counts', (event) => {
      for (const userId of event.userIds) this.countUpdates.push(userId)
    })
    hub.onEvent('notification_state', async (event) => {
      if (hub.users.has(event.userId)) hub.sendToUser(event.userId, { type: 'notification_state', ...event.change, ...await service.counts(event.userId) })
    })
    hub.onEvent('resurface', async (event) => this.resurface(event.recipients))
    hub.onEvent('away_summary', async ({ userId, count }) => {
      if (!hub.users.has(userId)) return
      const message = `${count} notification${count === 1 ? '' : 's'} arrived while you were away`
      hub.sendToUser(userId, { type: 'away_summary', count, message, ...await service.counts(userId) })
    })
  }

  /** Snoozed rows back in the inbox: a `notification` frame (resurfaced) and the state change, to every socket of the user. */
  private async resurface(recipients: Array<[number, number]>): Promise<void> {
    const { hub, service } = this
    for (const [userId, id] of recipients) {
      if (!hub.users.has(userId)) continue
      const notification = await service.find(userId, id)
      if (!notification) continue
      const counts = await service.counts(userId)
      hub.sendToUser(userId, { type: 'notification', notification, ...counts, alert: await service.alertOf(userId, notification.kind), resurfaced: true })
      hub.sendToUser(userId, { type: 'notification_state', ids: [id], read: notification.read, snoozed_until: notification.snoozed_until, ...counts })
    }
  }

  /**
   * One notification to one socket, unless it had it already (replays, catch-ups);
   * `ahead` while the socket is held for its opening frames (a replay).
   */
  async sendOnce(client: Client, notification: NotificationDTO, counts: Counts, ahead = false): Promise<boolean> {
    if (!client.delivered.first(notification.id)) {
      this.stats.repeatsDropped++
      return false
    }
    const alert = await this.service.alertOf(client.userId, notification.kind)
    const frame: NotificationFrame = { type: 'notification', notification, ...counts, alert }
    return ahead ? this.hub.sendAhead(client, frame) : this.hub.send(client, frame)
  }

  /** Whether this socket takes the push of `id` (and from now on has it). */
  private takes(client: Client, id: number, once: boolean): boolean {
    if (client.delivered.first(id) || !once) return true
    this.stats.repeatsDropped++
    return false
  }

  /**
   * notification frames to many users, yielding to the event loop between slices.
   * The recipients' frames differ only in the notification id and the counts, so
   * each distinct counts and alert value is serialised (content included) once, with a
   * placeholder id that is then replaced per user: a broadcast costs its share of a
   * few grouped queries per IN_LIST users (counts and alerts of those still online)
   * and a string join per user, not a render and a JSON.stringify (bench/README.md).
   * The frame's `content` must therefore depend on the notification and counts only,
   * as the notification renderers' does.
   */
  private async fanOut(recipients: Array<[number, number]>, template: NotificationTemplate, once = true, reserved?: Map<Client, Slot>, slicer = new Slicer()): Promise<void> {
    const { hub } = this
    // Each socket's place in its frame order is taken now, before any read (or was, when
    // the event arrived: `reserved`, handed over here): a later event's frames, whose
    // reads may finish first (PostgreSQL runs them side by side), queue behind this
    // one's. A place not filled below (went offline) is let go empty.
    const placeOf = (client: Client): Slot => {
      const slot = reserved?.get(client)
      if (!slot) return hub.reserve(client)
      reserved!.delete(client)
      return slot
    }
    const places: Array<Places | undefined> = recipients.map(([userId, id]) => {
      const taken: Places = []
      for (const client of hub.users.get(userId) ?? []) if (this.takes(client, id, once)) taken.push([client, placeOf(client)])
      return taken.length ? taken : undefined
    })
    try {
      await this.fill(recipients, template, places, slicer)
    } finally {
      for (const taken of places) for (const [client, slot] of taken ?? []) hub.fill(client, slot, null)
    }
  }

  /** fanOut's reads and frames: recipient i's frame goes to the places its sockets hold (places[i]). */
  private async fill(recipients: Array<[number, number]>, template: NotificationTemplate, places: Array<Places | undefined>, slicer: Slicer): Promise<void> {
    const { hub, service } = this
    const shared = recipients.length > 1 && !JSON.stringify(template).includes(PLACEHOLDER_TEXT)
    const byCounts = new Map<string, Buffer[]>()
    let countsOf = new Map<number, Counts>()
    let alertsOf = new Map<number, Alert>()
    for (let i = 0; i < recipients.length; i++) {
      const wait = slicer.pause(i)
      if (wait) await wait
      if (i % IN_LIST === 0) {
        const userIds = recipients.slice(i, i + IN_LIST).filter((_, k) => places[i + k]).map(([userId]) => userId)
        // A slice's reads (2-15 ms each for 500 users on SQLite, which blocks the loop) start
        // and end a turn of the loop when the slice has run its time already.
        const before = slicer.due()
        if (before) await before
        // In turn, not in parallel: for one recipient these are the one-user reads, one
        // connection at a time, as they were.
        countsOf = await service.countsOf(userIds)
        alertsOf = await service.alertsOf(userIds, template.kind)
        const after = slicer.due()
        if (after) await after
      }
      const [userId, id] = recipients[i]!
      const taken = places[i]
      const counts = countsOf.get(userId)
      const alert = alertsOf.get(userId)
      if (!taken || !counts || !alert) continue
      places[i] = undefined
      let data: Encoded | Promise<string>
      if (!shared) {
        const notification: NotificationDTO = { ...template, id, read: false }
        data = hub.encode({ type: 'notification', notification, ...counts, alert }, userId)
      } else {
        const key = JSON.stringify([counts, alert])
        let parts = byCounts.get(key)
        if (!parts) {
          const notification: NotificationDTO = { ...template, id: PLACEHOLDER_ID, read: false }
          const frame: NotificationFrame = { type: 'notification', notification, ...counts, alert }
          byCounts.set(key, (parts = (await hub.encode(frame, userId)).split(PLACEHOLDER_TEXT).map((part) => Buffer.from(part))))
        }
        data = withId(parts, Buffer.from(String(id)))
      }
      for (const [client, slot] of taken) hub.fill(client, slot, data)
    }
  }
}
