/**
 * The hub holds this process's sockets (userId -> sockets, sessionId -> sockets,
 * topic -> sockets) and writes bus events to them. It knows no domain: a domain
 * handles its own event types (`onEvent`), and the HTML fragments riding on frames
 * come from the renderer it is given.
 */
import { EventEmitter } from 'node:events'
import type { WebSocket } from 'ws'
import type { Bus, BusEvent, BusEventOf, BusEventType } from './bus.js'
import { newClient, type Client } from './client.js'
import { ExpirySweep } from './expiry.js'
import { startHeartbeat } from './heartbeat.js'
import { Outgoing, type Encoded, type Slot } from './outgoing.js'
import { CloseCode, type ServerFrame, type WithContent } from '../protocol.js'

export type { Client } from './client.js'

export interface HubOptions {
  bus: Bus
  /** The HTML fragment (out-of-band swaps) a page needs for this frame, if any. */
  renderContent(frame: ServerFrame, userId: number): string | undefined | Promise<string | undefined>
  maxConnectionsPerUser: number
  maxBufferedBytes: number
  heartbeatMs: number
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void }
}

export interface HubStats {
  sockets: number
  users: number
  topics: number
  framesSent: number
  dropped: Record<'slow' | 'closed', number>
}

/** Handles one bus event type; a promise when its writes span several turns of the loop. */
export type EventHandler<K extends BusEventType> = (event: BusEventOf<K>) => void | Promise<void>

/** ws sends a Buffer as a binary frame unless told otherwise; every frame here is JSON text. */
const TEXT = { binary: false }

/** The hub's client of a socket, for the one shared 'pong' listener (no closure per socket). */
const clientOf = new WeakMap<WebSocket, Client>()
function onPong(this: WebSocket): void {
  const client = clientOf.get(this)
  if (client) client.alive = true
}

function frameJson(frame: ServerFrame, content: string | undefined): string {
  const framed: WithContent = content === undefined ? frame : { ...frame, content }
  return JSON.stringify(framed)
}

export class Hub extends EventEmitter {
  readonly users = new Map<number, Set<Client>>()
  private readonly sessions = new Map<string, Set<Client>>()
  private readonly topicClients = new Map<string, Set<Client>>()
  private readonly handlers = new Map<string, EventHandler<BusEventType>>()
  private stopHeartbeat: (() => void) | null = null
  private closing = false
  readonly stats: HubStats = { sockets: 0, users: 0, topics: 0, framesSent: 0, dropped: { slow: 0, closed: 0 } }
  /** Metrics hook: an event was written to its sockets, `ms` after it was published. */
  onDelivered: ((type: BusEvent['type'], ms: number) => void) | null = null

  private readonly outgoing: Outgoing

  /** Logins end on time: one sweep for every socket instead of one timer each. */
  private readonly expiries = new ExpirySweep((client) => this.close(client, CloseCode.unauthorized, 'token expired'))

  constructor(private readonly opts: HubOptions) {
    super()
    this.outgoing = new Outgoing((client, data) => this.write(client, data), opts.log)
    opts.bus.onEvent((event) => this.deliver(event))
    if (opts.heartbeatMs > 0) this.stopHeartbeat = startHeartbeat(this, opts.heartbeatMs)
    this.onEvent('frame', (event) => {
      for (const userId of event.userIds) this.sendToUser(userId, event.frame)
    })
    this.onEvent('topic', (event) => this.sendToTopic(event.topic, event.frame))
  }

  /** A domain's handler of its own bus event type (one per type). */
  onEvent<K extends BusEventType>(type: K, handler: EventHandler<K>): void {
    if (this.handlers.has(type)) throw new Error(`bus event ${type} is already handled`)
    this.handlers.set(type, handler as EventHandler<BusEventType>)
  }

  // ------------------------------------------------------------ membership

  /**
   * Registers a socket; null (and nothing registered) when the user is at the cap.
   * `held`: its frames wait until `release` (its opening frames are being read),
   * from before anyone hears that it is there.
   */
  add(socket: WebSocket, userId: number, sessionId: string, expiresAtMs: number, held = false): Client | null {
    let set = this.users.get(userId)
    if (set && set.size >= this.opts.maxConnectionsPerUser) return null
    const client = newClient(socket, userId, sessionId, expiresAtMs)
    if (held) this.outgoing.hold(client)
    const first = !set
    if (!set) this.users.set(userId, (set = new Set()))
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

  /** Still registered (not closed meanwhile). */
  holds(client: Client): boolean {
    return this.users.get(client.userId)?.has(client) ?? false
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

  /** Serialises a frame (with its page fragment) for one user; a promise while the fragment reads the database. */
  encode(frame: ServerFrame, userId: number): string | Promise<string> {
    const content = this.opts.renderContent(frame, userId)
    return content instanceof Promise ? content.then((c) => frameJson(frame, c)) : frameJson(frame, content)
  }

  /**
   * Writes an encoded frame, in call order per socket: behind frames still
   * rendering and behind a hold. False when it was dropped right away.
   */
  sendRaw(client: Client, data: string | Promise<string | null>): boolean {
    return this.outgoing.send(client, data)
  }

  /** Takes the socket's next place in its frame order, to be filled once the frame is built (its later frames wait). */
  reserve(client: Client): Slot {
    return this.outgoing.reserve(client)
  }

  /** Fills a reserved place: the frame (or null: nothing) goes out in its turn, at once if it is next. */
  fill(client: Client, slot: Slot, data: Encoded | Promise<string> | null): void {
    this.outgoing.fill(client, slot, data)
  }

  /** Its frames wait (in order) until `release`; `sendAhead` still writes at once. */
  hold(client: Client): void {
    this.outgoing.hold(client)
  }

  release(client: Client): void {
    this.outgoing.release(client)
  }

  /** A frame that goes out before everything waiting (an opening frame while held). */
  sendAhead(client: Client, frame: ServerFrame): boolean {
    const data = this.encode(frame, client.userId)
    if (typeof data !== 'string') throw new Error(`${frame.type} frames are rendered synchronously`)
    return this.write(client, data)
  }

  /** Writes now, closing with 1013 when the socket cannot keep up. */
  private write(client: Client, data: Encoded): boolean {
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
    socket.send(data, TEXT)
    this.stats.framesSent++
    return true
  }

  send(client: Client, frame: ServerFrame): boolean {
    return this.sendRaw(client, this.encode(frame, client.userId))
  }

  sendToUser(userId: number, frame: ServerFrame): void {
    const set = this.users.get(userId)
    if (!set) return
    const data = this.encode(frame, userId)
    for (const client of set) this.sendRaw(client, data)
  }

  /** A frame for every socket of this process subscribed to the topic. */
  sendToTopic(topic: string, frame: ServerFrame): void {
    const set = this.topicClients.get(topic)
    if (!set) return
    const cache = new Map<number, string | Promise<string>>()
    for (const client of set) {
      let data = cache.get(client.userId)
      if (data === undefined) cache.set(client.userId, (data = this.encode(frame, client.userId)))
      this.sendRaw(client, data)
    }
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
    this.stopHeartbeat?.()
    this.stopHeartbeat = null
    this.emit('stop')
  }

  get isClosing(): boolean {
    return this.closing
  }

  // ------------------------------------------------------------ bus events

  deliver(event: BusEvent): void {
    const handler = this.handlers.get(event.type)
    if (!handler) return
    try {
      const done = handler(event)
      if (done) {
        done.then(
          () => this.onDelivered?.(event.type, Date.now() - event.at),
          (err) => this.opts.log.error({ err, event: event.type }, 'hub failed to deliver an event'),
        )
      } else this.onDelivered?.(event.type, Date.now() - event.at)
    } catch (err) {
      this.opts.log.error({ err, event: event.type }, 'hub failed to deliver an event')
    }
  }
}
