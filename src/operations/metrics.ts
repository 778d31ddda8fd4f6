/**
 * Prometheus metrics of one app through prom-client: Node's default metrics (one
 * set per process) and the app's own. The hot path only bumps the hub's plain
 * counters; prom-client reads them when scraped (collect), except the delivery
 * histogram and counter, which are observed once per delivered bus event.
 * Under WORKERS=N the cluster primary aggregates every worker's registry
 * (AggregatorRegistry): counters and histograms add up, `aggregator` says how
 * each gauge does.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { NotificationsLive } from '../domains/notifications/live/index.js'
import type { BusEvent } from '../realtime/bus.js'
import type { Hub } from '../realtime/hub.js'
import { isRedisBus, type RedisBus, type RedisState } from '../realtime/redis-bus.js'

/** Seconds; from sub-millisecond writes to a bus that was away. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

const REDIS_STATES: RedisState[] = ['connecting', 'ready', 'down', 'closed']

let defaults: Registry | null = null
/** Node's default metrics: one registry per process, however many apps it builds (tests). */
function defaultRegistry(): Registry {
  if (!defaults) {
    defaults = new Registry()
    collectDefaultMetrics({ register: defaults })
  }
  return defaults
}

/** A counter that follows a monotonic figure kept elsewhere: adds what it grew by since the last scrape. */
function followCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let last = 0
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read()
      if (now > last) this.inc(now - last)
      last = now
    },
  })
}

function followLabelledCounter(registry: Registry, name: string, help: string, label: string, read: () => Record<string, number>): void {
  const last = new Map<string, number>()
  new Counter({
    name,
    help,
    labelNames: [label],
    registers: [registry],
    collect() {
      for (const [value, now] of Object.entries(read())) {
        const before = last.get(value) ?? 0
        // inc(0) makes the series appear before its first increment.
        this.inc({ [label]: value }, Math.max(0, now - before))
        last.set(value, now)
      }
    },
  })
}

function gauge(registry: Registry, name: string, help: string, read: () => number, aggregator: 'sum' | 'min' | 'max' = 'sum'): void {
  new Gauge({ name, help, registers: [registry], aggregator, collect() { this.set(read()) } })
}

export interface AppMetrics {
  /** Default and app metrics of this app (what a scrape of this process shows). */
  registry: Registry
  /** A bus event was written to its sockets `ms` after it was published (hub.onDelivered). */
  delivered(type: BusEvent['type'], ms: number): void
}

export function createMetrics(hub: Hub, bus: { kind: 'local' | 'redis' } | RedisBus, notifications: NotificationsLive, worker: string): AppMetrics {
  const own = new Registry()
  const { stats } = hub
  gauge(own, 'live_sockets_open', 'Open WebSocket connections.', () => stats.sockets)
  gauge(own, 'live_users_online', 'Users with at least one socket (per process: a user on two workers counts twice).', () => stats.users)
  gauge(own, 'live_topics', 'Live topics with at least one subscriber.', () => stats.topics)
  followCounter(own, 'live_frames_sent_total', 'Frames written to sockets.', () => stats.framesSent)
  followLabelledCounter(
    own,
    'live_frames_dropped_total',
    'Frames not delivered, by reason (slow: client too slow, closed 1013; closed: socket already closing; bus_publish: Redis publish dropped or failed).',
    'reason',
    () => ({ ...stats.dropped, ...(isRedisBus(bus) ? { bus_publish: bus.stats.droppedPublishes } : {}) }),
  )
  const deliveries = new Counter({ name: 'live_deliveries_total', help: 'Bus events written to the sockets of this process, by event type.', labelNames: ['event'], registers: [own] })
  const latency = new Histogram({
    name: 'live_delivery_latency_seconds',
    help: 'From publish (after commit) to the frame written to the sockets, by bus event type.',
    labelNames: ['event'],
    buckets: LATENCY_BUCKETS,
    registers: [own],
  })
  new Gauge({ name: 'live_bus_info', help: 'The bus in use (local or redis).', labelNames: ['kind'], registers: [own], aggregator: 'max' }).set({ kind: bus.kind }, 1)
  new Gauge({ name: 'live_process_info', help: 'This process (one series per worker under WORKERS=N).', labelNames: ['pid', 'worker'], registers: [own] }).set(
    { pid: String(process.pid), worker },
    1,
  )
  followCounter(own, 'live_notification_repeats_dropped_total', 'Copies of a notification a socket already had (late bus copies, catch-ups), not sent again.', () => notifications.push.stats.repeatsDropped)

  if (isRedisBus(bus)) redisMetrics(own, bus, notifications)

  // The labelled children of each event type, looked up once (no label hashing per delivery).
  const children = new Map<string, { count: { inc(): void }; latency: { observe(v: number): void } }>()
  return {
    registry: Registry.merge([defaultRegistry(), own]),
    delivered(type, ms) {
      let child = children.get(type)
      if (!child) children.set(type, (child = { count: deliveries.labels(type), latency: latency.labels(type) }))
      child.count.inc()
      child.latency.observe(ms / 1000)
    },
  }
}

function redisMetrics(own: Registry, bus: RedisBus, notifications: NotificationsLive): void {
  const lag = new Histogram({ name: 'live_bus_lag_seconds', help: 'From publish to receipt from Redis by this process.', buckets: LATENCY_BUCKETS, registers: [own] })
  bus.onLag((ms) => lag.observe(ms / 1000))
  new Gauge({
    name: 'live_redis_connection_state',
    help: 'Redis connection state (1 for the current state; under WORKERS=N, how many workers are in it).',
    labelNames: ['state'],
    registers: [own],
    collect() {
      const now = bus.state()
      for (const state of REDIS_STATES) this.set({ state }, now === state ? 1 : 0)
    },
  })
  gauge(own, 'live_redis_up', '1 when both Redis connections are ready (under WORKERS=N: on every worker).', () => (bus.state() === 'ready' ? 1 : 0), 'min')
  followLabelledCounter(own, 'live_bus_publishes_total', 'PUBLISH commands sent, by channel kind (a broadcast is one publish).', 'channel', () => ({ ...bus.stats.publishes }))
  followCounter(own, 'live_bus_events_published_total', 'Bus events published.', () => bus.stats.events)
  followCounter(own, 'live_bus_messages_received_total', 'Messages received from Redis.', () => bus.stats.received)
  gauge(own, 'live_bus_channels', 'Redis channels subscribed (besides the broadcast channel).', () => bus.stats.channels)
  followCounter(own, 'live_redis_reconnects_total', 'Times a lost Redis connection came back.', () => bus.stats.reconnects)
  const catchUp = notifications.catchUp?.stats
  if (catchUp) {
    followCounter(own, 'live_catchup_replayed_total', 'Notifications written from the database because the bus may have missed them (new channel, outage).', () => catchUp.replayed)
    followCounter(own, 'live_catchup_revoked_closed_total', 'Sockets closed (4401) by a catch-up because their login was revoked meanwhile.', () => catchUp.revokedClosed)
  }
}
