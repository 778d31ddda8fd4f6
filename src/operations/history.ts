/**
 * The last 15 minutes of samples of every process this one hears from (its own and,
 * over the bus, the others'), one fixed-size ring per process.
 */
import type { OpsSample } from '../protocol.js'

export const HISTORY_MS = 15 * 60 * 1000

export class Ring<T> {
  private readonly items: Array<T | undefined>
  private next = 0
  size = 0

  constructor(readonly capacity: number) {
    this.items = new Array(capacity)
  }

  push(item: T): void {
    this.items[this.next] = item
    this.next = (this.next + 1) % this.capacity
    if (this.size < this.capacity) this.size++
  }

  /** Oldest first. */
  toArray(): T[] {
    const out: T[] = []
    const start = (this.next - this.size + this.capacity) % this.capacity
    for (let i = 0; i < this.size; i++) out.push(this.items[(start + i) % this.capacity]!)
    return out
  }

  last(): T | undefined {
    return this.size === 0 ? undefined : this.items[(this.next - 1 + this.capacity) % this.capacity]
  }
}

export class History {
  private readonly rings = new Map<string, Ring<OpsSample>>()
  private readonly capacity: number

  constructor(
    sampleMs: number,
    private readonly windowMs = HISTORY_MS,
  ) {
    // Room for a window of samples even when a process samples a little faster.
    this.capacity = Math.ceil(windowMs / sampleMs) + 16
  }

  add(sample: OpsSample): void {
    let ring = this.rings.get(sample.source)
    if (!ring) this.rings.set(sample.source, (ring = new Ring(this.capacity)))
    ring.push(sample)
  }

  /** Every process's samples of the window ending at `now`, oldest first; processes silent for the whole window are forgotten. */
  samples(now = Date.now()): OpsSample[] {
    const since = now - this.windowMs
    const out: OpsSample[] = []
    for (const [source, ring] of this.rings) {
      if ((ring.last()?.t ?? 0) < since) {
        this.rings.delete(source)
        continue
      }
      for (const s of ring.toArray()) if (s.t >= since) out.push(s)
    }
    return out.sort((a, b) => a.t - b.t)
  }
}
