/**
 * What the Redis bus puts on the wire: its interface and figures, and the messages
 * (channel, payload) of each event.
 */
import type { Bus, BusEvent } from './bus.js'

export type RedisState = 'connecting' | 'ready' | 'down' | 'closed'

export interface RedisBusLog {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

export interface RedisBusStats {
  /** Events handed to publish() */
  events: number
  /** PUBLISH commands sent, by channel kind */
  publishes: { user: number; topic: number; broadcast: number }
  /** Messages received from Redis */
  received: number
  /** Publishes dropped because Redis was away too long (offline queue full) or failed */
  droppedPublishes: number
  /** Messages that could not be parsed */
  badMessages: number
  /** Times a lost connection came back */
  reconnects: number
  /** Channels currently subscribed */
  channels: number
}

export interface RedisBusOptions {
  /** Prefix of every channel name (per site, or per test run). */
  prefix?: string
  /** Largest backoff between reconnection attempts, ms. */
  maxBackoffMs?: number
  /** Watched channels per SUBSCRIBE/UNSUBSCRIBE command. */
  subscribeBatch?: number
}

export type ResyncReason = 'subscribed' | 'reconnected'

export interface RedisBus extends Bus {
  readonly kind: 'redis'
  readonly prefix: string
  readonly stats: RedisBusStats
  /** Connection state of the subscriber and the publisher (the worse of the two). */
  state(): RedisState
  /**
   * Users whose channel was just subscribed (a socket opened, or everything after
   * Redis came back): events published before that may have been missed.
   */
  onResync(handler: (userIds: number[], reason: ResyncReason) => void): void
  /** Called once when the subscriber loses Redis (events may be missed from now on). */
  onDown(handler: () => void): void
  /** Observes publish-to-receive lag (ms) of every message received. */
  onLag(handler: (ms: number, type: BusEvent['type']) => void): void
  /** Resolves once both connections are ready (tests, startup). */
  ready(): Promise<void>
}

/**
 * [channel, message] pairs for one event, read from how it is addressed (bus.ts):
 * one message per user channel, a topic channel, or the broadcast channel. The
 * rest of the event is serialised once; each user's message only adds its address.
 */
export function routeEvent(event: BusEvent, prefix: string): Array<[string, string, keyof RedisBusStats['publishes']]> {
  const e = event as BusEvent & { userIds?: number[]; recipients?: Array<[number, unknown]>; userId?: number; topic?: string }
  if (e.recipients) {
    const head = JSON.stringify({ ...e, recipients: undefined }).slice(0, -1)
    return e.recipients.map(([userId, x]) => [`${prefix}user:${userId}`, `${head},"recipients":[[${userId},${typeof x === 'number' ? x : JSON.stringify(x)}]]}`, 'user'])
  }
  if (e.userIds) {
    const head = JSON.stringify({ ...e, userIds: undefined }).slice(0, -1)
    return e.userIds.map((userId) => [`${prefix}user:${userId}`, `${head},"userIds":[${userId}]}`, 'user'])
  }
  if (typeof e.userId === 'number') return [[`${prefix}user:${e.userId}`, JSON.stringify(e), 'user']]
  if (typeof e.topic === 'string') return [[`${prefix}topic:${e.topic}`, JSON.stringify(e), 'topic']]
  return [[`${prefix}broadcast`, JSON.stringify(e), 'broadcast']]
}

export function isRedisBus(bus: { kind: string }): bus is RedisBus {
  return bus.kind === 'redis'
}
