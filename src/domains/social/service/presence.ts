/**
 * Online status across processes, kept in the shared database:
 *
 * - every process has a row in `presence_processes` (random id) whose
 *   `heartbeat_at` it refreshes every `heartbeatMs`;
 * - while a user has at least one socket on a process, there is a
 *   (user_id, process_id) row in `presence`;
 * - a user is online when some `presence` row of theirs belongs to a process
 *   whose heartbeat is fresher than `staleMs`.
 *
 * This process is told when a user's first local socket opens (`userConnected`)
 * and their last local one closes (`userDisconnected`). Each change runs in one
 * IMMEDIATE transaction (so processes take turns) that also looks at the other
 * processes' rows: only the process that adds a user's FIRST row publishes
 * `presence online`, only the one removing the LAST row publishes `presence
 * offline`, to the user's friends. A local offline waits `graceMs` (5 s) first:
 * a reload, or a reconnect to another process, keeps the row (or adds another)
 * and nobody sees a flicker.
 *
 * A process that dies without cleaning up stops beating; any other process
 * finds its row stale, deletes it (cascading to its presence rows) and
 * publishes `offline` for the users left with no live row. A clean shutdown
 * removes its rows at once.
 */
import { and, eq, gt, lte, ne } from 'drizzle-orm'
import { randomUUID } from 'node:crypto'
import type { Db } from '../../../db/client.js'
import { transact, type Outbox, type Tx } from '../../../db/transact.js'
import type { Bus } from '../../../realtime/bus.js'
import { presence, presenceProcesses } from '../schema.js'
import type { Conn } from './conn.js'
import { pushFrame } from './events.js'
import { friendIdsIn } from './friendships.js'

export interface PresenceOptions {
  db: Db
  bus: Bus
  /** This process's own sockets. */
  local: { isOnline(userId: number): boolean; userIds(): Iterable<number> }
  graceMs?: number
  heartbeatMs?: number
  staleMs?: number
  log?: { error(obj: object, msg: string): void }
}

/** Is some row of this user held by a live process (other than `except`)? */
function heldByLiveProcess(conn: Conn, userId: number, freshAfter: number, except?: string): boolean {
  const row = conn
    .select({ processId: presence.processId })
    .from(presence)
    .innerJoin(presenceProcesses, eq(presenceProcesses.id, presence.processId))
    .where(
      and(
        eq(presence.userId, userId),
        gt(presenceProcesses.heartbeatAt, freshAfter),
        except === undefined ? undefined : ne(presence.processId, except),
      ),
    )
    .limit(1)
    .get()
  return row !== undefined
}

function usersHeldBy(tx: Tx, processId: string): number[] {
  return tx.select({ userId: presence.userId }).from(presence).where(eq(presence.processId, processId)).all().map((r) => r.userId)
}

export class PresenceTracker {
  readonly processId = randomUUID()
  graceMs: number
  readonly heartbeatMs: number
  readonly staleMs: number
  private readonly pendingOffline = new Map<number, NodeJS.Timeout>()
  private beatTimer: NodeJS.Timeout | null = null
  private stopped = false

  constructor(private readonly opts: PresenceOptions) {
    this.graceMs = opts.graceMs ?? 5000
    this.heartbeatMs = opts.heartbeatMs ?? 10_000
    this.staleMs = opts.staleMs ?? Math.max(3 * this.heartbeatMs, 15_000)
  }

  start(): void {
    this.register(this.opts.db, Date.now())
    this.sweep()
    this.beatTimer = setInterval(() => this.beat(), this.heartbeatMs)
    this.beatTimer.unref()
  }

  /** Online on any process (within the staleness window). */
  isOnline(userId: number): boolean {
    return heldByLiveProcess(this.opts.db, userId, Date.now() - this.staleMs)
  }

  /** A user's first socket on this process opened. */
  userConnected(userId: number): void {
    if (this.stopped) return
    const pending = this.pendingOffline.get(userId)
    if (pending) {
      // Back within the grace period: the row is still there, nobody noticed.
      clearTimeout(pending)
      this.pendingOffline.delete(userId)
      return
    }
    this.write((tx, outbox) => this.hold(tx, outbox, userId, Date.now()))
  }

  /** A user's last socket on this process closed: offline after the grace period. */
  userDisconnected(userId: number): void {
    if (this.stopped) return
    const existing = this.pendingOffline.get(userId)
    if (existing) clearTimeout(existing)
    const timer = setTimeout(() => {
      this.pendingOffline.delete(userId)
      this.release(userId)
    }, this.graceMs)
    timer.unref()
    this.pendingOffline.set(userId, timer)
  }

  /** Refreshes this process's heartbeat and clears out processes that stopped beating. */
  beat(): void {
    if (this.stopped) return
    this.guard(() => {
      const now = Date.now()
      const beating = this.opts.db
        .update(presenceProcesses)
        .set({ heartbeatAt: now })
        .where(eq(presenceProcesses.id, this.processId))
        .run().changes
      if (beating === 0) {
        // Another process took us for dead (a long pause): register again with our users.
        transact(this.opts.db, this.opts.bus, (tx, outbox) => {
          this.register(tx, now)
          for (const userId of this.opts.local.userIds()) this.hold(tx, outbox, userId, now)
        })
      }
      this.sweep()
    })
  }

  /** Clean shutdown: this process's users go offline now unless another process holds them. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    if (this.beatTimer) clearInterval(this.beatTimer)
    for (const timer of this.pendingOffline.values()) clearTimeout(timer)
    this.pendingOffline.clear()
    this.write((tx, outbox) => {
      const userIds = usersHeldBy(tx, this.processId)
      tx.delete(presenceProcesses).where(eq(presenceProcesses.id, this.processId)).run()
      for (const userId of userIds) this.announceIfGone(tx, outbox, userId)
    })
  }

  private register(conn: Conn, now: number) {
    conn
      .insert(presenceProcesses)
      .values({ id: this.processId, heartbeatAt: now })
      .onConflictDoUpdate({ target: presenceProcesses.id, set: { heartbeatAt: now } })
      .run()
  }

  /** Adds this process's row for the user; the first live row anywhere announces online. */
  private hold(tx: Tx, outbox: Outbox, userId: number, now: number) {
    const elsewhere = heldByLiveProcess(tx, userId, now - this.staleMs, this.processId)
    tx.insert(presence).values({ userId, processId: this.processId, since: now }).onConflictDoNothing().run()
    if (!elsewhere) this.announce(tx, outbox, userId, true)
  }

  private release(userId: number) {
    if (this.stopped || this.opts.local.isOnline(userId)) return
    this.write((tx, outbox) => {
      const removed = tx
        .delete(presence)
        .where(and(eq(presence.userId, userId), eq(presence.processId, this.processId)))
        .run().changes
      if (removed) this.announceIfGone(tx, outbox, userId)
    })
  }

  private staleProcesses(conn: Conn, cutoff: number): string[] {
    return conn
      .select({ id: presenceProcesses.id })
      .from(presenceProcesses)
      .where(and(lte(presenceProcesses.heartbeatAt, cutoff), ne(presenceProcesses.id, this.processId)))
      .all()
      .map((r) => r.id)
  }

  private sweep() {
    const cutoff = Date.now() - this.staleMs
    if (this.staleProcesses(this.opts.db, cutoff).length === 0) return
    transact(this.opts.db, this.opts.bus, (tx, outbox) => {
      // Read again inside the write lock: only one process cleans each dead one up.
      const userIds = new Set<number>()
      for (const id of this.staleProcesses(tx, cutoff)) {
        for (const userId of usersHeldBy(tx, id)) userIds.add(userId)
        tx.delete(presenceProcesses).where(eq(presenceProcesses.id, id)).run()
      }
      for (const userId of userIds) this.announceIfGone(tx, outbox, userId)
    })
  }

  private announceIfGone(tx: Tx, outbox: Outbox, userId: number) {
    if (!heldByLiveProcess(tx, userId, Date.now() - this.staleMs)) this.announce(tx, outbox, userId, false)
  }

  private announce(tx: Tx, outbox: Outbox, userId: number, online: boolean) {
    pushFrame(outbox, friendIdsIn(tx, userId), { type: 'presence', user_id: userId, online })
  }

  private write(fn: (tx: Tx, outbox: Outbox) => void) {
    this.guard(() => transact(this.opts.db, this.opts.bus, fn))
  }

  private guard(fn: () => void) {
    try {
      fn()
    } catch (err) {
      this.opts.log?.error({ err }, 'presence update failed')
    }
  }
}
