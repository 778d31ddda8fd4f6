/**
 * The figures of one process, for /metrics (Prometheus text format 0.0.4) and
 * /admin/live. No dependency: a histogram and a few lines of text format.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import type { NotificationsLive } from '../domains/notifications/live/index.js'
import type { BusEvent } from '../realtime/bus.js'
import type { Hub } from '../realtime/hub.js'
import { isRedisBus, type RedisBus, type RedisState } from '../realtime/redis-bus.js'

/** Seconds; from sub-millisecond writes to a bus that was away. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export class Histogram {
  readonly counts: number[]
  count = 0
  sum = 0
  constructor(readonly buckets: number[] = LATENCY_BUCKETS) {
    this.counts = new Array(buckets.length).fill(0)
  }

  observe(value: number): void {
    this.count++
    this.sum += value
    const i = this.buckets.findIndex((b) => value <= b)
    if (i >= 0) this.counts[i]!++
  }

  /** An estimate of a quantile (upper bound of the bucket holding it), or null when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null
    const rank = q * this.count
    let seen = 0
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.counts[i]!
      if (seen >= rank) return this.buckets[i]!
    }
    return Infinity
  }

  /** Text-format lines for this histogram with the given labels. */
  lines(name: string, labels: Record<string, string> = {}): string[] {
    const out: string[] = []
    let cumulative = 0
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += this.counts[i]!
      out.push(`${name}_bucket${fmtLabels({ ...labels, le: String(this.buckets[i]) })} ${cumulative}`)
    }
    out.push(`${name}_bucket${fmtLabels({ ...labels, le: '+Inf' })} ${this.count}`)
    out.push(`${name}_sum${fmtLabels(labels)} ${round(this.sum)}`)
    out.push(`${name}_count${fmtLabels(labels)} ${this.count}`)
    return out
  }
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
}

function fmtLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`
}

const REDIS_STATES: RedisState[] = ['connecting', 'ready', 'down', 'closed']

export interface LiveFigures {
  pid: number
  worker: number | null
  uptimeSeconds: number
  /** When this process started serving (ISO 8601). */
  startedAt: string
  bus: 'local' | 'redis'
  redisState: RedisState | null
  sockets: number
  users: number
  topics: number
  framesSent: number
  dropped: Record<string, number>
  delivery: { count: number; p50Ms: number | null; p99Ms: number | null }
  busLag: { count: number; p50Ms: number | null; p99Ms: number | null } | null
  busPublishes: { user: number; topic: number; broadcast: number } | null
  busReceived: number | null
  busChannels: number | null
  busReconnects: number | null
  rssBytes: number
  heapUsedBytes: number
  eventLoopDelayP99Ms: number
  eventLoopDelayMaxMs: number
}

/** Collects the hub's and the bus's figures of this process. */
export class LiveMetrics {
  /** Publish `at` -> written to the sockets, by event type. */
  readonly delivery = new Map<BusEvent['type'], Histogram>()
  /** Publish `at` -> received from Redis (cross-process lag of the bus). */
  readonly busLag = new Histogram()
  private readonly loop: IntervalHistogram
  private readonly started = Date.now()

  constructor(
    private readonly hub: Hub,
    private readonly bus: { kind: 'local' | 'redis' } | RedisBus,
    private readonly notifications: NotificationsLive,
  ) {
    hub.onDelivered = (type, ms) => this.deliveryOf(type).observe(ms / 1000)
    if (isRedisBus(bus)) bus.onLag((ms) => this.busLag.observe(ms / 1000))
    this.loop = monitorEventLoopDelay({ resolution: 20 })
    this.loop.enable()
  }

  stop(): void {
    this.loop.disable()
  }

  private deliveryOf(type: BusEvent['type']): Histogram {
    let h = this.delivery.get(type)
    if (!h) this.delivery.set(type, (h = new Histogram()))
    return h
  }

  figures(): LiveFigures {
    const { stats } = this.hub
    const bus = isRedisBus(this.bus) ? this.bus : null
    const all = new Histogram()
    for (const h of this.delivery.values()) {
      all.count += h.count
      all.sum += h.sum
      h.counts.forEach((c, i) => (all.counts[i]! += c))
    }
    const ms = (s: number | null) => (s === null ? null : s === Infinity ? Infinity : s * 1000)
    const mem = process.memoryUsage()
    return {
      pid: process.pid,
      worker: process.env.WORKER_ID ? Number(process.env.WORKER_ID) : null,
      uptimeSeconds: Math.round((Date.now() - this.started) / 1000),
      startedAt: new Date(this.started).toISOString(),
      bus: this.bus.kind,
      redisState: bus ? bus.state() : null,
      sockets: stats.sockets,
      users: stats.users,
      topics: stats.topics,
      framesSent: stats.framesSent,
      dropped: { ...stats.dropped, ...(bus ? { bus_publish: bus.stats.droppedPublishes } : {}) },
      delivery: { count: all.count, p50Ms: ms(all.quantile(0.5)), p99Ms: ms(all.quantile(0.99)) },
      busLag: bus ? { count: this.busLag.count, p50Ms: ms(this.busLag.quantile(0.5)), p99Ms: ms(this.busLag.quantile(0.99)) } : null,
      busPublishes: bus ? { ...bus.stats.publishes } : null,
      busReceived: bus ? bus.stats.received : null,
      busChannels: bus ? bus.stats.channels : null,
      busReconnects: bus ? bus.stats.reconnects : null,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      eventLoopDelayP99Ms: round(this.loop.percentile(99) / 1e6),
      eventLoopDelayMaxMs: round(this.loop.max / 1e6),
    }
  }

  /** Prometheus text exposition format. */
  text(): string {
    const f = this.figures()
    const bus = isRedisBus(this.bus) ? this.bus : null
    const out: string[] = []
    const metric = (name: string, type: 'gauge' | 'counter' | 'histogram', help: string, lines: string[]) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines)
    }
    metric('live_sockets_open', 'gauge', 'Open WebSocket connections held by this process.', [`live_sockets_open ${f.sockets}`])
    metric('live_users_online', 'gauge', 'Users with at least one socket on this process.', [`live_users_online ${f.users}`])
    metric('live_topics', 'gauge', 'Live topics with at least one subscriber on this process.', [`live_topics ${f.topics}`])
    metric('live_frames_sent_total', 'counter', 'Frames written to sockets.', [`live_frames_sent_total ${f.framesSent}`])
    metric(
      'live_frames_dropped_total',
      'counter',
      'Frames not delivered, by reason (slow: client too slow, closed 1013; closed: socket already closing; bus_publish: Redis publish dropped or failed).',
      Object.entries(f.dropped).map(([reason, n]) => `live_frames_dropped_total${fmtLabels({ reason })} ${n}`),
    )
    const delivery: string[] = []
    for (const [type, h] of this.delivery) delivery.push(...h.lines('live_delivery_latency_seconds', { event: type }))
    metric('live_delivery_latency_seconds', 'histogram', 'From publish (after commit) to the frame written to the sockets, by bus event type.', delivery)
    metric('live_bus_info', 'gauge', 'The bus in use (local or redis).', [`live_bus_info${fmtLabels({ kind: f.bus })} 1`])
    if (bus) {
      metric('live_bus_lag_seconds', 'histogram', 'From publish to receipt from Redis by this process.', this.busLag.lines('live_bus_lag_seconds'))
      metric(
        'live_redis_connection_state',
        'gauge',
        'Redis connection state of this process (1 for the current state).',
        REDIS_STATES.map((s) => `live_redis_connection_state${fmtLabels({ state: s })} ${f.redisState === s ? 1 : 0}`),
      )
      metric('live_redis_up', 'gauge', '1 when both Redis connections are ready.', [`live_redis_up ${f.redisState === 'ready' ? 1 : 0}`])
      metric(
        'live_bus_publishes_total',
        'counter',
        'PUBLISH commands sent, by channel kind (a broadcast is one publish).',
        Object.entries(bus.stats.publishes).map(([channel, n]) => `live_bus_publishes_total${fmtLabels({ channel })} ${n}`),
      )
      metric('live_bus_events_published_total', 'counter', 'Bus events published by this process.', [`live_bus_events_published_total ${bus.stats.events}`])
      metric('live_bus_messages_received_total', 'counter', 'Messages received from Redis.', [`live_bus_messages_received_total ${bus.stats.received}`])
      metric('live_bus_channels', 'gauge', 'Redis channels subscribed by this process (besides the broadcast channel).', [`live_bus_channels ${bus.stats.channels}`])
      metric('live_redis_reconnects_total', 'counter', 'Times a lost Redis connection came back.', [`live_redis_reconnects_total ${bus.stats.reconnects}`])
      const catchUp = this.notifications.catchUp?.stats
      if (catchUp) {
        metric('live_catchup_replayed_total', 'counter', 'Notifications written from the database because the bus may have missed them (new channel, outage).', [`live_catchup_replayed_total ${catchUp.replayed}`])
        metric('live_catchup_revoked_closed_total', 'counter', 'Sockets closed (4401) by a catch-up because their login was revoked meanwhile.', [`live_catchup_revoked_closed_total ${catchUp.revokedClosed}`])
      }
    }
    metric('live_notification_repeats_dropped_total', 'counter', 'Copies of a notification a socket already had (late bus copies, catch-ups), not sent again.', [`live_notification_repeats_dropped_total ${this.notifications.push.stats.repeatsDropped}`])
    metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [`process_resident_memory_bytes ${f.rssBytes}`])
    metric('nodejs_heap_used_bytes', 'gauge', 'V8 heap used in bytes.', [`nodejs_heap_used_bytes ${f.heapUsedBytes}`])
    metric('nodejs_eventloop_delay_p99_seconds', 'gauge', 'p99 event-loop delay since start.', [`nodejs_eventloop_delay_p99_seconds ${round(f.eventLoopDelayP99Ms / 1000)}`])
    metric('nodejs_eventloop_delay_max_seconds', 'gauge', 'Longest event-loop delay since start.', [`nodejs_eventloop_delay_max_seconds ${round(f.eventLoopDelayMaxMs / 1000)}`])
    metric('process_uptime_seconds', 'gauge', 'Seconds since this process started serving.', [`process_uptime_seconds ${f.uptimeSeconds}`])
    return out.join('\n') + '\n'
  }
}

