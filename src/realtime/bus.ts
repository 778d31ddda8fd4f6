/**
 * The bus carries committed domain events to the hub of every process.
 * In one process it is an in-memory queue; with REDIS_URL it is Redis pub/sub
 * (redis-bus.ts). Services publish only after their transaction committed.
 */
import type { NotificationDTO, ServerFrame } from '../protocol.js'

/** A notification as every recipient sees it, less its per-recipient id. */
export type NotificationTemplate = Omit<NotificationDTO, 'id' | 'read'>

export type BusEvent =
  /**
   * Rows created for these users: [userId, notificationId]. `updated`: existing rows
   * rewritten under the same id (grouping), pushed again even to sockets that saw the id.
   */
  | { type: 'notify'; template: NotificationTemplate; recipients: Array<[number, number]>; updated?: boolean; at: number }
  /** One row per user, ids in [fromId, toId]: a broadcast to everyone, one publish. */
  | { type: 'notify_all'; template: NotificationTemplate; fromId: number; toId: number; at: number }
  /** Unread counts of these users changed for another reason (read, read-all, message read, delete). */
  | { type: 'counts'; userIds: number[]; at: number }
  /** A login was revoked: its sockets close with 4401. */
  | { type: 'session_revoked'; sessionId: string; userId: number; at: number }
  /** A ready frame for every socket of these users (friend requests, messages, typing, presence). */
  | { type: 'frame'; userIds: number[]; frame: ServerFrame; at: number }
  /** A frame for every socket subscribed to a topic (e.g. `post:4`). */
  | { type: 'topic'; topic: string; frame: ServerFrame; at: number }

/** Distributes `Omit` over the union so each variant keeps its own fields. */
type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never
export type BusEventInput = DistributiveOmit<BusEvent, 'at'>

export type BusHandler = (event: BusEvent) => void

export interface Bus {
  readonly kind: 'local' | 'redis'
  publish(event: BusEventInput): void
  onEvent(handler: BusHandler): void
  /**
   * Interest of this process: the hub calls watch('user:7') when user 7's first
   * socket opens here and unwatch when the last closes (same for 'topic:<name>').
   * The Redis bus subscribes to those channels only; the local bus ignores it.
   */
  watch(key: string): void
  unwatch(key: string): void
  close(): Promise<void>
}

/**
 * The in-process bus. Apps given the same `group` share it the way processes share
 * Redis (tests run several apps in one process that way); closing one removes only
 * its own handlers.
 */
export function createLocalBus(group: Set<BusHandler> = new Set()): Bus {
  const mine: BusHandler[] = []
  return {
    kind: 'local',
    publish(input) {
      const event = { ...input, at: Date.now() } as BusEvent
      // Asynchronous like a real broker: the publisher's call returns first.
      setImmediate(() => {
        for (const handler of group) handler(event)
      })
    },
    onEvent(handler) {
      group.add(handler)
      mine.push(handler)
    },
    watch() {},
    unwatch() {},
    async close() {
      for (const handler of mine) group.delete(handler)
    },
  }
}
