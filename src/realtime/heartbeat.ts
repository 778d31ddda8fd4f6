/**
 * Pings every socket once per interval and drops those that missed the last ping;
 * closes those whose login ended.
 *
 * The pings are spread over the interval: every tick (250 ms) pings the users whose id
 * falls in that tick's share (`userId % ticks`), so each user is pinged at the same point
 * of every interval and exactly one interval apart, as Socket.IO's per-socket timers do.
 * One round for every socket put all the pings (and then their pongs) in one stretch
 * every interval; sliced (19,000 pings at once had blocked the loop ~0.8 s), it no longer
 * blocked the loop, but notifications arriving meanwhile still queued behind it. A share
 * that is still large yields between slices.
 */
import { CloseCode } from '../protocol.js'
import type { Client } from './client.js'
import type { Hub } from './hub.js'
import { Slicer } from './slices.js'

/** About how often a share of the users is pinged (the interval is cut into whole ticks; one tick if shorter). */
export const HEARTBEAT_TICK_MS = 250

export function startHeartbeat(hub: Hub, ms: number): () => void {
  const ticks = Math.max(1, Math.round(ms / HEARTBEAT_TICK_MS))
  const tickMs = ms / ticks
  let tick = 0
  // A share still being pinged when its turn comes again (an interval of one tick) is not started twice.
  const running = new Set<number>()
  const timer = setInterval(async () => {
    const share = tick++ % ticks
    if (running.has(share)) return
    running.add(share)
    try {
      const clients: Client[] = []
      for (const [userId, set] of hub.users) if (userId % ticks === share) for (const client of set) clients.push(client)
      const slicer = new Slicer()
      for (let i = 0; i < clients.length; i++) {
        const wait = slicer.pause(i)
        if (wait) await wait
        const client = clients[i]!
        // Gone meanwhile (closed, or the hub stopped).
        if (hub.users.get(client.userId)?.has(client)) beatOne(hub, client, Date.now())
      }
    } finally {
      running.delete(share)
    }
  }, tickMs)
  timer.unref()
  return () => clearInterval(timer)
}

function beatOne(hub: Hub, client: Client, now: number): void {
  if (!client.alive) {
    client.socket.terminate()
    hub.remove(client)
    return
  }
  client.alive = false
  if (client.expiresAtMs <= now) {
    hub.close(client, CloseCode.unauthorized, 'token expired')
    return
  }
  try {
    client.socket.ping()
  } catch {
    hub.remove(client)
  }
}
