/**
 * Online status: a user is online while any socket of theirs is open on any
 * process, and for `graceMs` (PRESENCE_GRACE_MS) after the last one closed, so a
 * reload or a reconnect to another process shows no flicker.
 *
 * This process is told when a user's first local socket opens (`userConnected`)
 * and their last local one closes (`userDisconnected`); the store decides whether
 * that made them online (or offline) anywhere, and only then are their friends sent
 * one `presence` frame. The store is this process's memory, or Redis when several
 * processes serve the site (presence-redis.ts), where a process that dies without
 * cleaning up stops beating and is swept by another once its deadline passed.
 *
 * Reads (`isOnline`, asked while rendering pages and pushed fragments) come from
 * this process's copy of who is online: set by its own changes, by every other
 * process's (a `presence_changed` event to all processes), and read again from the
 * store at every heartbeat.
 *
 * While Redis is away this process decides from its own sockets and copy (one warn
 * log comes from the connection) and keeps what changed; when it is back the store
 * is given this process's users again and each user changed meanwhile is told once,
 * as they stand then.
 */
import type { Bus } from '../../../realtime/bus.js'
import type { PresenceStore } from './presence-store.js'

declare module '../../../realtime/bus.js' {
  interface BusEvents {
    /** A user came online or went offline (to every process: their copy of who is online). */
    presence_changed: { user: number; online: boolean }
  }
}

export interface PresenceOptions {
  store: PresenceStore
  bus: Bus
  /** Who hears about this user's presence. */
  friendIds(userId: number): number[] | Promise<number[]>
  /** This process's own sockets. */
  local: { isOnline(userId: number): boolean; userIds(): Iterable<number> }
  graceMs?: number
  heartbeatMs?: number
  /** Resolves once the bus carries events again (after a Redis outage). */
  busReady?(): Promise<void>
  /** Runs at each (re)connection of the store (Redis): this process's users are put back. */
  onStoreReady?(handler: () => void): void
  log?: { error(obj: object, msg: string): void }
}

export class PresenceTracker {
  graceMs: number
  readonly heartbeatMs: number
  private readonly store: PresenceStore
  private readonly online = new Set<number>()
  private readonly pendingOffline = new Map<number, NodeJS.Timeout>()
  /** Changed in this process's own view while the store was away: told when it is back. */
  private readonly guessed = new Map<number, boolean>()
  /** Users whose state changed while the store's list was being read (that list may predate it). */
  private touched: Set<number> | null = null
  private beatTimer: NodeJS.Timeout | null = null
  private stopped = false
  private storeDown = false

  constructor(private readonly opts: PresenceOptions) {
    this.store = opts.store
    this.graceMs = opts.graceMs ?? 5000
    this.heartbeatMs = opts.heartbeatMs ?? 10_000
  }

  get processId(): string {
    return this.store.processId
  }

  start(): void {
    this.beatTimer = setInterval(() => void this.beat(), this.heartbeatMs)
    this.beatTimer.unref()
    this.opts.onStoreReady?.(() => void this.resync())
  }

  /** Online on any process, as this process knows it. */
  isOnline(userId: number): boolean {
    return this.online.has(userId)
  }

  /** A change announced by some process (this one included): this process's copy follows. */
  changed(userId: number, online: boolean): void {
    this.touched?.add(userId)
    if (online) this.online.add(userId)
    else this.online.delete(userId)
  }

  /** A user's first socket on this process opened. */
  userConnected(userId: number): void {
    if (this.stopped) return
    const pending = this.pendingOffline.get(userId)
    if (pending) {
      // Back within the grace period: still held, nobody noticed.
      clearTimeout(pending)
      this.pendingOffline.delete(userId)
      return
    }
    void this.guard(async () => {
      const came = await this.ask(() => this.store.hold(userId), () => !this.online.has(userId))
      if (came) await this.announce(userId, true)
    })
  }

  /** A user's last socket on this process closed: offline after the grace period. */
  userDisconnected(userId: number): void {
    if (this.stopped) return
    const existing = this.pendingOffline.get(userId)
    if (existing) clearTimeout(existing)
    const timer = setTimeout(() => {
      this.pendingOffline.delete(userId)
      if (this.stopped || this.opts.local.isOnline(userId)) return
      void this.guard(async () => {
        const gone = await this.ask(() => this.store.release(userId), () => this.online.has(userId))
        if (gone) await this.announce(userId, false)
      })
    }, this.graceMs)
    timer.unref()
    this.pendingOffline.set(userId, timer)
  }

  /** Keeps this process alive in the store, sweeps dead processes, reads who is online again. */
  async beat(): Promise<void> {
    if (this.stopped) return
    await this.guard(async () => {
      let result
      try {
        result = await this.store.beat()
      } catch {
        this.storeDown = true
        return
      }
      for (const userId of result.offline) await this.announce(userId, false)
      if (result.dropped || this.storeDown) await this.resync()
      else await this.reload().catch(() => void (this.storeDown = true))
    })
  }

  /** Clean shutdown: this process's users go offline now unless another process holds them. */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (this.beatTimer) clearInterval(this.beatTimer)
    for (const timer of this.pendingOffline.values()) clearTimeout(timer)
    this.pendingOffline.clear()
    await this.guard(async () => {
      // Redis away: its keys of this process stop counting at its deadline.
      const gone = await this.store.stop().catch(() => [])
      for (const userId of gone) await this.announce(userId, false)
    })
  }

  /** The store's answer, or this process's own guess while the store is away. */
  private async ask(fromStore: () => Promise<boolean>, guess: () => boolean): Promise<boolean> {
    if (!this.storeDown) {
      try {
        return await fromStore()
      } catch {
        this.storeDown = true
      }
    }
    return guess()
  }

  /** The store is back (or had taken this process for dead): it holds exactly this process's users again. */
  private async resync(): Promise<void> {
    if (this.stopped) return
    await this.guard(async () => {
      // A command lost with the connection (it went away again): the next beat tries again.
      const changes = await this.store.replace([...this.opts.local.userIds()]).catch(() => null)
      if (!changes) return void (this.storeDown = true)
      this.storeDown = false
      for (const userId of changes.online) if (!this.online.has(userId)) await this.announce(userId, true)
      for (const userId of changes.offline) if (this.online.has(userId)) await this.announce(userId, false)
      if (!(await this.reload().then(() => true, () => false))) return void (this.storeDown = true)
      // Changes seen during the outage are told now, once, as they stand: the bus held
      // (or lost) its publishes meanwhile, so they wait until it is subscribed again.
      await this.opts.busReady?.()
      const guessed = [...this.guessed.keys()]
      this.guessed.clear()
      for (const userId of guessed) await this.tell(userId, this.online.has(userId))
    })
  }

  /** This process's copy of who is online, read again from the store. */
  private async reload(): Promise<void> {
    const touched = (this.touched = new Set())
    let ids: number[]
    try {
      ids = await this.store.onlineUsers()
    } finally {
      this.touched = null
    }
    const now = new Set(ids)
    for (const userId of this.online) if (!now.has(userId) && !touched.has(userId)) this.online.delete(userId)
    for (const userId of now) if (!touched.has(userId)) this.online.add(userId)
  }

  private async announce(userId: number, online: boolean) {
    this.changed(userId, online)
    if (this.storeDown) this.guessed.set(userId, online)
    else await this.tell(userId, online)
  }

  /** Every process's copy follows; the user's friends get one `presence` frame. */
  private async tell(userId: number, online: boolean) {
    if (this.store.shared) this.opts.bus.publish({ type: 'presence_changed', user: userId, online })
    const friends = await this.opts.friendIds(userId)
    if (friends.length) this.opts.bus.publish({ type: 'frame', userIds: friends, frame: { type: 'presence', user_id: userId, online } })
  }

  private async guard(fn: () => Promise<void>) {
    try {
      await fn()
    } catch (err) {
      this.opts.log?.error({ err }, 'presence update failed')
    }
  }
}
