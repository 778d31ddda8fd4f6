/**
 * Pings every socket and drops those that missed the last ping; closes those
 * whose login ended. 19,000 pings in one go blocked the event loop for ~0.8 s,
 * so a round yields between slices.
 */
import { CloseCode } from '../protocol.js'
import type { Client } from './client.js'
import type { Hub } from './hub.js'
import { Slicer } from './slices.js'

export function startHeartbeat(hub: Hub, ms: number): () => void {
  let beating = false
  const timer = setInterval(async () => {
    if (beating) return
    beating = true
    try {
      const clients: Client[] = []
      for (const set of hub.users.values()) for (const client of set) clients.push(client)
      const slicer = new Slicer()
      for (let i = 0; i < clients.length; i++) {
        const wait = slicer.pause(i)
        if (wait) await wait
        const client = clients[i]!
        // Gone meanwhile (closed, or the hub stopped).
        if (hub.users.get(client.userId)?.has(client)) beatOne(hub, client, Date.now())
      }
    } finally {
      beating = false
    }
  }, ms)
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
