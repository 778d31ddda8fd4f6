/**
 * The bus carries committed domain events to the hub of every process.
 * In one process it is an in-memory queue; with REDIS_URL it is Redis pub/sub
 * (redis-bus.ts). Services publish only after their transaction committed.
 *
 * The transport knows two event types of its own (`frame`, `topic`); a domain adds
 * its types to `BusEvents` (declaration merging) and handles them with
 * `hub.onEvent(type, handler)`. How an event is addressed is read from its fields:
 * `userIds` (each user), `recipients` ([userId, x] pairs), `userId` (one user),
 * `topic` (a topic's subscribers); an event with none of them reaches every process.
 */
import type { ServerFrame } from '../protocol.js'

export interface BusEvents {
  /** A ready frame for every socket of these users (friend requests, messages, typing, presence). */
  frame: { userIds: number[]; frame: ServerFrame }
  /** A frame for every socket subscribed to a topic (e.g. `post:4`). */
  topic: { topic: string; frame: ServerFrame }
}

export type BusEventType = keyof BusEvents
export type BusEventOf<K extends BusEventType> = { type: K; at: number } & BusEvents[K]
export type BusEvent = { [K in BusEventType]: BusEventOf<K> }[BusEventType]

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
