/** Token expiry of every socket, swept by one timer. */
import type { Client } from './client.js'

/** Granularity of token-expiry closes. */
const EXPIRY_TICK_MS = 250

/**
 * Clients by the tick in which their login ends; one timer, armed only while
 * some socket expires, walks the ticks that have passed. Costs a Set entry per
 * socket where a timer each cost a Timeout, a closure and a timer list.
 */
export class ExpirySweep {
  private readonly byTick = new Map<number, Set<Client>>()
  private lastTick = Math.floor(Date.now() / EXPIRY_TICK_MS)
  private timer: NodeJS.Timeout | null = null

  constructor(private readonly expire: (client: Client) => void) {}

  private tickOf(client: Client): number {
    return Math.ceil(client.expiresAtMs / EXPIRY_TICK_MS)
  }

  add(client: Client): void {
    if (!this.timer) {
      // Nothing is waiting (byTick is empty): restart the walk from now.
      this.lastTick = Math.floor(Date.now() / EXPIRY_TICK_MS)
      this.timer = setInterval(() => this.sweep(), EXPIRY_TICK_MS)
      this.timer.unref()
    }
    const tick = Math.max(this.tickOf(client), this.lastTick + 1)
    let set = this.byTick.get(tick)
    if (!set) this.byTick.set(tick, (set = new Set()))
    set.add(client)
  }

  delete(client: Client): void {
    const tick = Math.max(this.tickOf(client), 0)
    // A client added late sits in a later tick than its own; look there too.
    for (const t of [tick, this.lastTick, this.lastTick + 1]) {
      const set = this.byTick.get(t)
      if (set?.delete(client)) {
        if (set.size === 0) this.byTick.delete(t)
        return
      }
    }
  }

  private sweep(): void {
    const now = Math.floor(Date.now() / EXPIRY_TICK_MS)
    for (let t = this.lastTick + 1; t <= now; t++) {
      const set = this.byTick.get(t)
      if (!set) continue
      this.byTick.delete(t)
      for (const client of set) this.expire(client)
    }
    this.lastTick = now
    if (this.byTick.size === 0) this.stop()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }
}
