/**
 * Where presence is decided: which users hold a socket on which process. The
 * tracker (presence.ts) asks the store at each first-socket / last-socket change
 * and announces what the store answers. One process keeps it in memory
 * (MemoryPresenceStore); several share it in Redis (presence-redis.ts).
 */

export interface PresenceStore {
  readonly processId: string
  /** Other processes read it too: they are told of each change (their copy of who is online). */
  readonly shared: boolean
  /** This process now holds a socket of the user: true when that made them online anywhere. */
  hold(userId: number): Promise<boolean>
  /** This process holds no socket of the user any more: true when that made them offline everywhere. */
  release(userId: number): Promise<boolean>
  /**
   * Refreshes this process's deadline and takes processes that missed theirs for dead:
   * `offline` are the users that left with them; `dropped` says this process had itself
   * been taken for dead (a long pause), so its users must be held again (`replace`).
   */
  beat(): Promise<{ dropped: boolean; offline: number[] }>
  /** This process holds exactly these users now (after an outage): what changed anywhere. */
  replace(userIds: number[]): Promise<{ online: number[]; offline: number[] }>
  /** Everyone online on any live process. */
  onlineUsers(): Promise<number[]>
  /** Clean shutdown: the users that went offline with this process. */
  stop(): Promise<number[]>
}

/** One process: the users with a socket here are the users online. */
export class MemoryPresenceStore implements PresenceStore {
  readonly processId = 'memory'
  readonly shared = false
  private readonly held = new Set<number>()

  async hold(userId: number) {
    if (this.held.has(userId)) return false
    this.held.add(userId)
    return true
  }

  async release(userId: number) {
    return this.held.delete(userId)
  }

  async beat() {
    return { dropped: false, offline: [] }
  }

  async replace(userIds: number[]) {
    const next = new Set(userIds)
    const online = userIds.filter((id) => !this.held.has(id))
    const offline = [...this.held].filter((id) => !next.has(id))
    this.held.clear()
    for (const id of next) this.held.add(id)
    return { online, offline }
  }

  async onlineUsers() {
    return [...this.held]
  }

  async stop() {
    const gone = [...this.held]
    this.held.clear()
    return gone
  }
}
