/**
 * Online status across processes, kept in the shared SQLite database:
 *
 * - every process has a row in `presence_processes` (random id) whose
 *   `heartbeat_at` it refreshes every `heartbeatMs`;
 * - while a user has at least one socket on a process, there is a
 *   (user_id, process_id) row in `presence`;
 * - a user is online when some `presence` row of theirs belongs to a process
 *   whose heartbeat is fresher than `staleMs`.
 *
 * The hub tells this process when a user's first local socket opens
 * ('user_online') and their last local one closes ('user_offline'). Each change
 * runs in one IMMEDIATE transaction (so processes take turns) that also looks at
 * the other processes' rows: only the process that adds a user's FIRST row
 * publishes `presence online`, only the one removing the LAST row publishes
 * `presence offline`, to the user's friends, through the bus. A local offline
 * waits `graceMs` (5 s) first: a reload, or a reconnect to another process,
 * keeps the row (or adds another) and nobody sees a flicker.
 *
 * A process that dies without cleaning up stops beating; any other process
 * finds its row stale, deletes it (cascading to its presence rows) and
 * publishes `offline` for the users left with no live row. A clean shutdown
 * removes its rows at once.
 */
import { randomUUID } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import type { Db } from '../../db/client.js'
import { transact, type Outbox } from '../../db/transact.js'
import type { Bus } from '../../realtime/bus.js'

export interface PresenceOptions {
  db: Db
  bus: Bus
  /** The hub: emits 'user_online' / 'user_offline' (this process only) and knows local sockets. */
  hub: EventEmitter & { isOnline(userId: number): boolean; users: Map<number, unknown> }
  friendIds(userId: number): number[]
  graceMs?: number
  heartbeatMs?: number
  staleMs?: number
  log?: { error(obj: object, msg: string): void }
}

export class PresenceTracker {
  readonly processId = randomUUID()
  graceMs: number
  readonly heartbeatMs: number
  readonly staleMs: number
  private readonly pendingOffline = new Map<number, NodeJS.Timeout>()
  private beatTimer: NodeJS.Timeout | null = null
  private stopped = false
  private readonly q

  constructor(private readonly opts: PresenceOptions) {
    this.graceMs = opts.graceMs ?? 5000
    this.heartbeatMs = opts.heartbeatMs ?? 10_000
    this.staleMs = opts.staleMs ?? Math.max(3 * this.heartbeatMs, 15_000)
    const s = opts.db.$client
    this.q = {
      upsertProcess: s.prepare<[string, number]>(
        'INSERT INTO presence_processes (id, heartbeat_at) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at',
      ),
      beat: s.prepare<[number, string]>('UPDATE presence_processes SET heartbeat_at = ? WHERE id = ?'),
      deleteProcess: s.prepare<[string]>('DELETE FROM presence_processes WHERE id = ?'),
      insert: s.prepare<[number, string, number]>('INSERT OR IGNORE INTO presence (user_id, process_id, since) VALUES (?, ?, ?)'),
      remove: s.prepare<[number, string]>('DELETE FROM presence WHERE user_id = ? AND process_id = ?'),
      onlineElsewhere: s
        .prepare<[number, string, number], number>(
          `SELECT 1 FROM presence p JOIN presence_processes pp ON pp.id = p.process_id
           WHERE p.user_id = ? AND p.process_id <> ? AND pp.heartbeat_at > ? LIMIT 1`,
        )
        .pluck(),
      online: s
        .prepare<[number, number], number>(
          `SELECT 1 FROM presence p JOIN presence_processes pp ON pp.id = p.process_id
           WHERE p.user_id = ? AND pp.heartbeat_at > ? LIMIT 1`,
        )
        .pluck(),
      stale: s.prepare<[number, string], string>('SELECT id FROM presence_processes WHERE heartbeat_at <= ? AND id <> ?').pluck(),
      usersOf: s.prepare<[string], number>('SELECT user_id FROM presence WHERE process_id = ?').pluck(),
    }
  }

  start(): void {
    this.q.upsertProcess.run(this.processId, Date.now())
    this.opts.hub.on('user_online', this.onOnline)
    this.opts.hub.on('user_offline', this.onOffline)
    this.sweep()
    this.beatTimer = setInterval(() => this.beat(), this.heartbeatMs)
    this.beatTimer.unref()
  }

  /** Online on any process (within the staleness window). */
  isOnline(userId: number): boolean {
    return this.q.online.get(userId, Date.now() - this.staleMs) === 1
  }

  /** Clean shutdown: this process's users go offline now unless another process holds them. */
  stop(): void {
    if (this.stopped) return
    this.stopped = true
    if (this.beatTimer) clearInterval(this.beatTimer)
    for (const timer of this.pendingOffline.values()) clearTimeout(timer)
    this.pendingOffline.clear()
    this.opts.hub.off('user_online', this.onOnline)
    this.opts.hub.off('user_offline', this.onOffline)
    this.guard(() =>
      transact(this.opts.db, this.opts.bus, (_tx, outbox) => {
        const userIds = this.q.usersOf.all(this.processId)
        this.q.deleteProcess.run(this.processId)
        for (const userId of userIds) this.announceIfGone(outbox, userId)
      }),
    )
  }

  private readonly onOnline = (userId: number) => {
    const pending = this.pendingOffline.get(userId)
    if (pending) {
      // Back within the grace period: the row is still there, nobody noticed.
      clearTimeout(pending)
      this.pendingOffline.delete(userId)
      return
    }
    this.guard(() =>
      transact(this.opts.db, this.opts.bus, (_tx, outbox) => {
        const elsewhere = this.q.onlineElsewhere.get(userId, this.processId, Date.now() - this.staleMs) === 1
        this.q.insert.run(userId, this.processId, Date.now())
        if (!elsewhere) this.announce(outbox, userId, true)
      }),
    )
  }

  private readonly onOffline = (userId: number) => {
    if (this.stopped) return
    const existing = this.pendingOffline.get(userId)
    if (existing) clearTimeout(existing)
    const timer = setTimeout(() => {
      this.pendingOffline.delete(userId)
      this.goOffline(userId)
    }, this.graceMs)
    timer.unref()
    this.pendingOffline.set(userId, timer)
  }

  private goOffline(userId: number) {
    if (this.stopped || this.opts.hub.isOnline(userId)) return
    this.guard(() =>
      transact(this.opts.db, this.opts.bus, (_tx, outbox) => {
        if (this.q.remove.run(userId, this.processId).changes === 0) return
        this.announceIfGone(outbox, userId)
      }),
    )
  }

  /** Refreshes this process's heartbeat and clears out processes that stopped beating. */
  beat(): void {
    if (this.stopped) return
    this.guard(() => {
      const now = Date.now()
      if (this.q.beat.run(now, this.processId).changes === 0) {
        // Another process took us for dead (a long pause): register again with our users.
        transact(this.opts.db, this.opts.bus, (_tx, outbox) => {
          this.q.upsertProcess.run(this.processId, now)
          for (const userId of this.opts.hub.users.keys()) {
            const elsewhere = this.q.onlineElsewhere.get(userId, this.processId, now - this.staleMs) === 1
            this.q.insert.run(userId, this.processId, now)
            if (!elsewhere) this.announce(outbox, userId, true)
          }
        })
      }
      this.sweep()
    })
  }

  private sweep() {
    const cutoff = Date.now() - this.staleMs
    if (this.q.stale.all(cutoff, this.processId).length === 0) return
    transact(this.opts.db, this.opts.bus, (_tx, outbox) => {
      // Read again inside the write lock: only one process cleans each dead one up.
      const dead = this.q.stale.all(cutoff, this.processId)
      const userIds = new Set<number>()
      for (const id of dead) {
        for (const userId of this.q.usersOf.all(id)) userIds.add(userId)
        this.q.deleteProcess.run(id)
      }
      for (const userId of userIds) this.announceIfGone(outbox, userId)
    })
  }

  private announceIfGone(outbox: Outbox, userId: number) {
    const stillOnline = this.q.online.get(userId, Date.now() - this.staleMs) === 1
    if (!stillOnline) this.announce(outbox, userId, false)
  }

  private announce(outbox: Outbox, userId: number, online: boolean) {
    const friends = this.opts.friendIds(userId)
    if (friends.length) outbox.push({ type: 'frame', userIds: friends, frame: { type: 'presence', user_id: userId, online } })
  }

  private guard(fn: () => void) {
    try {
      fn()
    } catch (err) {
      this.opts.log?.error({ err }, 'presence update failed')
    }
  }
}
