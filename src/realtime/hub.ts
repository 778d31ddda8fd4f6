/**
 * The hub holds this process's sockets (userId -> sockets, sessionId -> sockets,
 * topic -> sockets) and writes bus events to them. It never queries domain tables
 * itself: counts, ids of broadcast rows and HTML fragments come from the functions
 * it is given, so it stays the same for every domain.
 */
import { EventEmitter } from 'node:events'
import type { WebSocket } from 'ws'
import type { Bus, BusEvent, NotificationTemplate } from './bus.js'
import {
  CloseCode,
  type Counts,
  type NotificationDTO,
  type NotificationFrame,
  type ServerFrame,
  type WithContent,
} from '../protocol.js'

export interface Client {
  readonly socket: WebSocket
  readonly userId: number
  readonly sessionId: string
  readonly topics: Set<string>
  /** Answered the last heartbeat ping. */
  alive: boolean
  /** A count_update is owed but the socket was too far behind to take it. */
  countsOwed: boolean
  readonly expiresAtMs: number
  frameWindowStart: number
  framesInWindow: number
  /** Largest notification id written to this socket (initial, push, replay): a catch-up resumes after it. */
  lastNotificationId: number
  /**
   * Largest notification id this socket was given by its connect snapshot or replay.
   * A push of a row at or below it (committed before the socket opened, delivered
   * after) would be a second copy, so fanOut skips it.
   */
  snapshotId: number
}

export interface HubOptions {
  bus: Bus
  /** Unread counts of a user, computed by the server at the moment of sending. */
  counts(userId: number): Counts
  /** The id of this user's row among a broadcast's rows (notify_all), or null. */
  broadcastRowId(userId: number, fromId: number, toId: number): number | null
  /** The HTML fragment (out-of-band swaps) a page needs for this frame, if any. */
  renderContent(frame: ServerFrame, userId: number): string | undefined
  maxConnectionsPerUser: number
  maxBufferedBytes: number
  heartbeatMs: number
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }
}

/** Past this many unsent bytes a count update waits and is coalesced. */
const COUNT_LOW_WATER = 64 * 1024
/** Big fan-outs yield to the event loop after this many users, or sooner once a slice took FANOUT_SLICE_MS. */
const FANOUT_CHUNK = 500
/** Writes to loopback sockets cost ~40-80 µs each here: 500 of them can block the loop for 40 ms (bench/README.md). */
const FANOUT_SLICE_MS = 10
/** Stands for the notification id in a fan-out's shared frame; no real id gets this large. */
const PLACEHOLDER_ID = Number.MAX_SAFE_INTEGER
const PLACEHOLDER_TEXT = String(PLACEHOLDER_ID)

export interface HubStats {
  sockets: number
  users: number
  topics: number
  framesSent: number
  dropped: Record<'slow' | 'closed', number>
}

/** The hub's client of a socket, for the one shared 'pong' listener (no closure per socket). */
const clientOf = new WeakMap<WebSocket, Client>()
function onPong(this: WebSocket): void {
  const client = clientOf.get(this)
  if (client) client.alive = true
}

/** Granularity of token-expiry closes. */
const EXPIRY_TICK_MS = 250

/**
 * Clients by the tick in which their login ends; one timer, armed only while
 * some socket expires, walks the ticks that have passed. Costs a Set entry per
 * socket where a timer each cost a Timeout, a closure and a timer list.
 */
class ExpirySweep {
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

export class Hub extends EventEmitter {
  readonly users = new Map<number, Set<Client>>()
  private readonly sessions = new Map<string, Set<Client>>()
  private readonly topicClients = new Map<string, Set<Client>>()
  private readonly owedCounts = new Set<Client>()
  private readonly pendingCountUsers = new Set<number>()
  private countFlushScheduled = false
  private heartbeat: NodeJS.Timeout | null = null
  private drainTimer: NodeJS.Timeout | null = null
  private closing = false
  private beating = false
  readonly stats: HubStats = { sockets: 0, users: 0, topics: 0, framesSent: 0, dropped: { slow: 0, closed: 0 } }
  /** Metrics hook: an event was written to its sockets, `ms` after it was published. */
  onDelivered: ((type: BusEvent['type'], ms: number) => void) | null = null

  /** Logins end on time: one sweep for every socket instead of one timer each. */
  private readonly expiries = new ExpirySweep((client) => this.close(client, CloseCode.unauthorized, 'token expired'))

  constructor(private readonly opts: HubOptions) {
    super()
    opts.bus.onEvent((event) => this.deliver(event))
    if (opts.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => void this.beat(), opts.heartbeatMs)
      this.heartbeat.unref()
    }
  }

  // ------------------------------------------------------------ membership

  /** Registers a socket; false (and nothing registered) when the user is at the cap. */
  add(socket: WebSocket, userId: number, sessionId: string, expiresAtMs: number): Client | null {
    let set = this.users.get(userId)
    if (set && set.size >= this.opts.maxConnectionsPerUser) return null
    const client: Client = {
      socket,
      userId,
      sessionId,
      topics: new Set(),
      alive: true,
      countsOwed: false,
      expiresAtMs,
      frameWindowStart: 0,
      framesInWindow: 0,
      lastNotificationId: 0,
      snapshotId: 0,
    }
    const first = !set
    if (!set) {
      set = new Set()
      this.users.set(userId, set)
    }
    set.add(client)
    let bySession = this.sessions.get(sessionId)
    if (!bySession) this.sessions.set(sessionId, (bySession = new Set()))
    bySession.add(client)

    this.expiries.add(client)
    clientOf.set(socket, client)
    socket.on('pong', onPong)
    this.stats.sockets++
    if (first) {
      this.stats.users++
      this.opts.bus.watch(`user:${userId}`)
      this.emit('user_online', userId)
    }
    return client
  }

  remove(client: Client): void {
    const set = this.users.get(client.userId)
    if (!set || !set.delete(client)) return
    this.expiries.delete(client)
    this.owedCounts.delete(client)
    const bySession = this.sessions.get(client.sessionId)
    bySession?.delete(client)
    if (bySession?.size === 0) this.sessions.delete(client.sessionId)
    for (const topic of client.topics) this.unsubscribe(client, topic)
    this.stats.sockets--
    if (set.size === 0) {
      this.users.delete(client.userId)
      this.stats.users--
      this.opts.bus.unwatch(`user:${client.userId}`)
      this.emit('user_offline', client.userId)
    }
  }

  subscribe(client: Client, topic: string): void {
    if (client.topics.has(topic)) return
    client.topics.add(topic)
    let set = this.topicClients.get(topic)
    if (!set) {
      this.topicClients.set(topic, (set = new Set()))
      this.stats.topics++
      this.opts.bus.watch(`topic:${topic}`)
    }
    set.add(client)
  }

  unsubscribe(client: Client, topic: string): void {
    client.topics.delete(topic)
    const set = this.topicClients.get(topic)
    if (!set) return
    set.delete(client)
    if (set.size === 0) {
      this.topicClients.delete(topic)
      this.stats.topics--
      this.opts.bus.unwatch(`topic:${topic}`)
    }
  }

  isOnline(userId: number): boolean {
    return this.users.has(userId)
  }

  // ------------------------------------------------------------ sending

  /** Serialises a frame (with its page fragment) for one user. */
  encode(frame: ServerFrame, userId: number): string {
    const content = this.opts.renderContent(frame, userId)
    const framed: WithContent = content === undefined ? frame : { ...frame, content }
    return JSON.stringify(framed)
  }

  /** Writes an encoded frame, closing with 1013 when the socket cannot keep up. */
  sendRaw(client: Client, data: string): boolean {
    const { socket } = client
    if (socket.readyState !== 1) {
      this.stats.dropped.closed++
      return false
    }
    if (socket.bufferedAmount + data.length > this.opts.maxBufferedBytes) {
      this.stats.dropped.slow++
      this.close(client, CloseCode.tooSlow, 'client too slow')
      return false
    }
    socket.send(data)
    this.stats.framesSent++
    return true
  }

  send(client: Client, frame: ServerFrame): boolean {
    noteSent(client, frame)
    return this.sendRaw(client, this.encode(frame, client.userId))
  }

  sendToUser(userId: number, frame: ServerFrame): void {
    const set = this.users.get(userId)
    if (!set) return
    const data = this.encode(frame, userId)
    for (const client of set) {
      noteSent(client, frame)
      this.sendRaw(client, data)
    }
  }

  /**
   * Sends a fresh count_update to every socket of the user. Several requests in
   * one tick become one query and one frame; a socket that is behind gets it
   * once it has drained.
   */
  pushCounts(userId: number): void {
    if (!this.users.has(userId)) return
    this.pendingCountUsers.add(userId)
    if (this.countFlushScheduled) return
    this.countFlushScheduled = true
    setImmediate(() => {
      this.countFlushScheduled = false
      const userIds = [...this.pendingCountUsers]
      this.pendingCountUsers.clear()
      for (const id of userIds) this.flushCounts(id)
    })
  }

  private flushCounts(userId: number): void {
    const set = this.users.get(userId)
    if (!set) return
    let data: string | null = null
    for (const client of set) {
      if (client.socket.bufferedAmount > COUNT_LOW_WATER) {
        client.countsOwed = true
        this.owedCounts.add(client)
        this.scheduleDrainCheck()
        continue
      }
      data ??= this.encode({ type: 'count_update', ...this.opts.counts(userId) }, userId)
      client.countsOwed = false
      this.owedCounts.delete(client)
      this.sendRaw(client, data)
    }
  }

  private scheduleDrainCheck(): void {
    if (this.drainTimer) return
    this.drainTimer = setTimeout(() => {
      this.drainTimer = null
      const users = new Set<number>()
      for (const client of this.owedCounts) users.add(client.userId)
      for (const userId of users) this.flushCounts(userId)
      if (this.owedCounts.size > 0) this.scheduleDrainCheck()
    }, 100)
    this.drainTimer.unref()
  }

  close(client: Client, code: number, reason: string): void {
    const { socket } = client
    if (socket.readyState === 0 || socket.readyState === 1) socket.close(code, reason)
    // A socket that cannot even take its close frame goes after ws's closeTimeout.
    this.remove(client)
  }

  closeSession(sessionId: string, code: number, reason: string): void {
    const set = this.sessions.get(sessionId)
    if (!set) return
    for (const client of [...set]) this.close(client, code, reason)
  }

  /** Graceful shutdown: every socket closes with the given code (1012). */
  closeAll(code: number, reason: string): void {
    this.closing = true
    for (const set of [...this.users.values()]) {
      for (const client of [...set]) this.close(client, code, reason)
    }
  }

  stop(): void {
    this.expiries.stop()
    if (this.heartbeat) clearInterval(this.heartbeat)
    if (this.drainTimer) clearTimeout(this.drainTimer)
    this.heartbeat = null
    this.drainTimer = null
  }

  get isClosing(): boolean {
    return this.closing
  }

  // ------------------------------------------------------------ bus events

  deliver(event: BusEvent): void {
    try {
      switch (event.type) {
        case 'notify':
          void this.fanOut(
            event.recipients.filter(([userId]) => this.users.has(userId)),
            event.template,
            !event.updated,
          ).then(() => this.onDelivered?.(event.type, Date.now() - event.at))
          return
        case 'notify_all': {
          const recipients: Array<[number, number]> = []
          for (const userId of this.users.keys()) {
            const id = this.opts.broadcastRowId(userId, event.fromId, event.toId)
            if (id !== null) recipients.push([userId, id])
          }
          void this.fanOut(recipients, event.template).then(() => this.onDelivered?.(event.type, Date.now() - event.at))
          return
        }
        case 'counts':
          for (const userId of event.userIds) this.pushCounts(userId)
          break
        case 'session_revoked':
          this.closeSession(event.sessionId, CloseCode.unauthorized, 'logged out')
          break
        case 'frame':
          for (const userId of event.userIds) this.sendToUser(userId, event.frame)
          break
        case 'topic': {
          const set = this.topicClients.get(event.topic)
          if (!set) break
          const cache = new Map<number, string>()
          for (const client of set) {
            let data = cache.get(client.userId)
            if (data === undefined) cache.set(client.userId, (data = this.encode(event.frame, client.userId)))
            this.sendRaw(client, data)
          }
          break
        }
      }
      this.onDelivered?.(event.type, Date.now() - event.at)
    } catch (err) {
      this.opts.log.error({ err, event: event.type }, 'hub failed to deliver an event')
    }
  }

  /**
   * notification frames to many users, yielding to the event loop between chunks.
   * The recipients' frames differ only in the notification id and the counts, so
   * each distinct counts value is serialised (content included) once, with a
   * placeholder id that is then replaced per user: a broadcast costs a counts
   * query and a string join per user, not a render and a JSON.stringify
   * (bench/README.md). The frame's `content` must therefore depend on the
   * notification and counts only, as the core renderer's does.
   */
  private async fanOut(recipients: Array<[number, number]>, template: NotificationTemplate, skipSeen = true): Promise<void> {
    const shared = recipients.length > 1 && !JSON.stringify(template).includes(PLACEHOLDER_TEXT)
    const byCounts = new Map<string, string[]>()
    let sliceStart = performance.now()
    for (let i = 0; i < recipients.length; i++) {
      if (i > 0 && (i % FANOUT_CHUNK === 0 || (i % 25 === 0 && performance.now() - sliceStart > FANOUT_SLICE_MS))) {
        await new Promise((resolve) => setImmediate(resolve))
        sliceStart = performance.now()
      }
      const [userId, id] = recipients[i]!
      const set = this.users.get(userId)
      if (!set) continue
      const counts = this.opts.counts(userId)
      if (!shared) {
        const notification: NotificationDTO = { ...template, id, read: false }
        const frame: NotificationFrame = { type: 'notification', notification, ...counts }
        let data: string | null = null
        for (const client of set) {
          // A socket that opened after this row committed has it in its snapshot or replay already.
          if (skipSeen && id <= client.snapshotId) continue
          noteSent(client, frame)
          this.sendRaw(client, (data ??= this.encode(frame, userId)))
        }
        continue
      }
      const key = JSON.stringify(counts)
      let parts = byCounts.get(key)
      if (!parts) {
        const notification: NotificationDTO = { ...template, id: PLACEHOLDER_ID, read: false }
        const frame: NotificationFrame = { type: 'notification', notification, ...counts }
        byCounts.set(key, (parts = this.encode(frame, userId).split(PLACEHOLDER_TEXT)))
      }
      const data = parts.join(String(id))
      for (const client of set) {
        if (skipSeen && id <= client.snapshotId) continue
        if (id > client.lastNotificationId) client.lastNotificationId = id
        this.sendRaw(client, data)
      }
    }
  }

  // ------------------------------------------------------------ heartbeat

  /**
   * Pings every socket and drops those that missed the last ping. A ping is a
   * socket write (~40-80 µs on loopback here): 19,000 of them in one go blocked
   * the event loop for ~0.8 s, so the round yields every FANOUT_SLICE_MS.
   */
  private async beat(): Promise<void> {
    if (this.beating) return
    this.beating = true
    try {
      const clients: Client[] = []
      for (const set of this.users.values()) for (const client of set) clients.push(client)
      let sliceStart = performance.now()
      for (let i = 0; i < clients.length; i++) {
        if (i % 25 === 0 && performance.now() - sliceStart > FANOUT_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve))
          sliceStart = performance.now()
        }
        const client = clients[i]!
        // Gone meanwhile (closed, or the hub stopped).
        if (!this.users.get(client.userId)?.has(client)) continue
        this.beatOne(client, Date.now())
      }
    } finally {
      this.beating = false
    }
  }

  private beatOne(client: Client, now: number): void {
    if (!client.alive) {
      client.socket.terminate()
      this.remove(client)
      return
    }
    client.alive = false
    if (client.expiresAtMs <= now) {
      this.close(client, CloseCode.unauthorized, 'token expired')
      return
    }
    try {
      client.socket.ping()
    } catch {
      this.remove(client)
    }
  }
}

/** Remembers the newest notification id a socket has seen (for catch-up after a bus outage). */
function noteSent(client: Client, frame: ServerFrame): void {
  if (frame.type === 'notification') {
    if (frame.notification.id > client.lastNotificationId) client.lastNotificationId = frame.notification.id
  } else if (frame.type === 'initial') {
    if (frame.last_id > client.lastNotificationId) client.lastNotificationId = frame.last_id
  }
}
