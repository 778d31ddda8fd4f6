/** The hub's record of one open socket. */
import type { Waiting } from './outgoing.js'
import type { WebSocket } from 'ws'

/**
 * The numbered items (notification ids) a socket was sent, so that each reaches it
 * once whatever path brought it (push, connect snapshot, replay, catch-up, a late
 * copy from the bus): every id up to `floor`, plus the ids above it in `above`.
 *
 * `above` stays small: a snapshot or a catch-up that read the database raises the
 * floor (`complete`), and past MAX_ABOVE entries the older half is folded into the
 * floor. A first copy of an id older than the newest MAX_ABOVE / 2 sent to the
 * socket would then be taken for a repeat; copies are reordered by milliseconds
 * across processes, never by that many notifications of one user.
 */
export class Delivered {
  floor = 0
  private above: Set<number> | null = null

  /** True, and remembered, the first time an id is offered; false for a repeat. */
  first(id: number): boolean {
    if (id <= this.floor) return false
    if (this.above === null) this.above = new Set()
    else if (this.above.has(id)) return false
    this.above.add(id)
    if (this.above.size > MAX_ABOVE) this.fold()
    return true
  }

  /** Whether the id was offered already. */
  has(id: number): boolean {
    return id <= this.floor || (this.above?.has(id) ?? false)
  }

  /** The socket has everything up to `id` (a snapshot or a catch-up read the database up to it). */
  complete(id: number): void {
    if (id <= this.floor) return
    this.floor = id
    if (this.above) {
      for (const x of this.above) if (x <= id) this.above.delete(x)
      if (this.above.size === 0) this.above = null
    }
  }

  private fold(): void {
    const ids = [...this.above!].sort((a, b) => a - b)
    const keep = ids.slice(ids.length - MAX_ABOVE / 2)
    this.floor = ids[ids.length - keep.length - 1]!
    this.above = new Set(keep)
  }
}

const MAX_ABOVE = 64

export interface Client {
  readonly socket: WebSocket
  readonly userId: number
  readonly sessionId: string
  readonly topics: Set<string>
  /** Answered the last heartbeat ping. */
  alive: boolean
  /** A coalesced frame (latest counts) is owed but the socket was too far behind to take it. */
  owesLatest: boolean
  readonly expiresAtMs: number
  frameWindowStart: number
  framesInWindow: number
  readonly delivered: Delivered
  /**
   * Frames waiting for their turn, in order: one whose fragment is still rendering
   * (a promise) holds back the ones after it, and all of them wait while `held`
   * (the socket's first frames are being read). Null when nothing waits.
   */
  waiting: Waiting[] | null
  held: boolean
  /**
   * The opening frames being read and sent (null once they are): until then the socket's
   * `delivered` does not yet say what its snapshot covers, so a catch-up waits for it.
   */
  opening: Promise<void> | null
}

export function newClient(socket: WebSocket, userId: number, sessionId: string, expiresAtMs: number): Client {
  return {
    socket,
    userId,
    sessionId,
    topics: new Set(),
    alive: true,
    owesLatest: false,
    expiresAtMs,
    frameWindowStart: 0,
    framesInWindow: 0,
    delivered: new Delivered(),
    waiting: null,
    held: false,
    opening: null,
  }
}
