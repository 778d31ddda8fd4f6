/**
 * Frames where only the newest matters (a user's counts): several requests in one
 * tick become one build and one frame per user; a socket that is behind gets the
 * frame once it has drained instead of queuing stale ones.
 */
import type { ServerFrame } from '../protocol.js'
import type { Client } from './client.js'
import type { Hub } from './hub.js'

/** Past this many unsent bytes the frame waits and is coalesced. */
const LOW_WATER = 64 * 1024
const DRAIN_CHECK_MS = 100

export class CoalescedFrames {
  private readonly pendingUsers = new Set<number>()
  private readonly owed = new Set<Client>()
  private flushScheduled = false
  private drainTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly hub: Hub,
    private readonly build: (userId: number) => ServerFrame | Promise<ServerFrame>,
  ) {
    hub.once('stop', () => {
      if (this.drainTimer) clearTimeout(this.drainTimer)
      this.drainTimer = null
    })
  }

  /** Sends a fresh frame to every socket of the user, soon. */
  push(userId: number): void {
    if (!this.hub.users.has(userId)) return
    this.pendingUsers.add(userId)
    if (this.flushScheduled) return
    this.flushScheduled = true
    setImmediate(() => {
      this.flushScheduled = false
      const userIds = [...this.pendingUsers]
      this.pendingUsers.clear()
      for (const id of userIds) this.flush(id)
    })
  }

  private flush(userId: number): void {
    const set = this.hub.users.get(userId)
    if (!set) return
    let data: string | Promise<string> | null = null
    for (const client of set) {
      if (client.socket.bufferedAmount > LOW_WATER) {
        client.owesLatest = true
        this.owed.add(client)
        this.scheduleDrainCheck()
        continue
      }
      data ??= this.encode(userId)
      client.owesLatest = false
      this.owed.delete(client)
      this.hub.sendRaw(client, data)
    }
  }

  private encode(userId: number): string | Promise<string> {
    const frame = this.build(userId)
    return frame instanceof Promise ? frame.then((f) => this.hub.encode(f, userId)) : this.hub.encode(frame, userId)
  }

  private scheduleDrainCheck(): void {
    if (this.drainTimer) return
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null
      const users = new Set<number>()
      for (const client of this.owed) {
        if (this.hub.holds(client)) users.add(client.userId)
        else this.owed.delete(client)
      }
      for (const userId of users) this.flush(userId)
      if (this.owed.size > 0) this.scheduleDrainCheck()
    }, DRAIN_CHECK_MS)
    this.drainTimer.unref()
  }
}
