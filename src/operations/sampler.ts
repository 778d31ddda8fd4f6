/**
 * One process's figures every interval, for the /admin/live charts. Deliveries
 * are counted into a small bucket array once per delivered bus event (never per
 * socket or frame); everything else is read from counters the hub keeps anyway,
 * once per interval.
 */
import { hostname } from 'node:os'
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import type { OpsSample } from '../protocol.js'
import type { Hub } from '../realtime/hub.js'
import { isRedisBus, type RedisBus } from '../realtime/redis-bus.js'
import { LATENCY_BUCKETS } from './metrics.js'

/** An estimate of quantile q from bucket counts (seconds), interpolated inside its bucket; null when empty. */
export function bucketQuantile(counts: number[], total: number, q: number, buckets = LATENCY_BUCKETS): number | null {
  if (total === 0) return null
  const rank = q * total
  let seen = 0
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!
    if (n > 0 && seen + n >= rank) {
      const lower = i === 0 ? 0 : buckets[i - 1]!
      const upper = i < buckets.length ? buckets[i]! : buckets[buckets.length - 1]!
      return lower + (upper - lower) * Math.min(1, Math.max(0, (rank - seen) / n))
    }
    seen += n
  }
  return buckets[buckets.length - 1]!
}

const round = (n: number, places = 3) => Math.round(n * 10 ** places) / 10 ** places

let instances = 0

export class Sampler {
  /** `<host>:<pid>`; a second app in one process (tests) adds `/2`. */
  readonly source = `${hostname()}:${process.pid}${++instances === 1 ? '' : `/${instances}`}`
  /** Deliveries of the current interval by latency bucket (the last slot: above the largest bucket). */
  private counts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0)
  private deliveries = 0
  private lastAt = Date.now()
  private lastDropped: number
  private readonly loop: IntervalHistogram

  constructor(
    private readonly hub: Hub,
    private readonly bus: { kind: 'local' | 'redis' } | RedisBus,
    private readonly worker: number | null,
  ) {
    this.lastDropped = this.droppedTotal()
    this.loop = monitorEventLoopDelay({ resolution: 20 })
    this.loop.enable()
  }

  /** Called once per delivered bus event. */
  delivered(ms: number): void {
    this.deliveries++
    const s = ms / 1000
    let i = 0
    while (i < LATENCY_BUCKETS.length && s > LATENCY_BUCKETS[i]!) i++
    this.counts[i]!++
  }

  private droppedTotal(): number {
    const { dropped } = this.hub.stats
    return dropped.slow + dropped.closed + (isRedisBus(this.bus) ? this.bus.stats.droppedPublishes : 0)
  }

  /** The figures since the previous sample; starts the next interval. */
  sample(now = Date.now()): OpsSample {
    const seconds = Math.max(0.001, (now - this.lastAt) / 1000)
    const ms = (q: number) => {
      const v = bucketQuantile(this.counts, this.deliveries, q)
      return v === null ? null : round(v * 1000)
    }
    const dropped = this.droppedTotal()
    const sample: OpsSample = {
      source: this.source,
      worker: this.worker,
      t: now,
      sockets: this.hub.stats.sockets,
      users: this.hub.stats.users,
      deliveriesPerSecond: round(this.deliveries / seconds, 2),
      p50Ms: ms(0.5),
      p99Ms: ms(0.99),
      // The monitor reports 0 until it has a value, and at most its resolution after a quiet interval.
      eventLoopP99Ms: round(this.loop.percentile(99) / 1e6, 2),
      rssBytes: process.memoryUsage.rss(),
      dropped: dropped - this.lastDropped,
      redisUp: isRedisBus(this.bus) ? (this.bus.state() === 'ready' ? 1 : 0) : null,
    }
    this.counts.fill(0)
    this.deliveries = 0
    this.lastAt = now
    this.lastDropped = dropped
    this.loop.reset()
    return sample
  }

  stop(): void {
    this.loop.disable()
  }
}
