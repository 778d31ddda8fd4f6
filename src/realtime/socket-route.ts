/**
 * GET /ws/notifications: authentication, origin check, the `initial` snapshot,
 * `since=` replay, client frames (validated against frames.ts) and limits.
 * Domains add client frame types with `app.realtime.onFrame(...)`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import type { WebSocket } from 'ws'
import type { Principal } from '../domains/accounts/service.js'
import { DomainError } from '../errors.js'
import { AUTH_COOKIE, bearerToken } from '../web/http.js'
import {
  clientFrameSchemas,
  CloseCode,
  type ClientFrame,
  type ClientFrameType,
  type ErrorCode,
  type InitialFrame,
  type ServerFrame,
} from '../protocol.js'
import type { Client, Hub } from './hub.js'

export interface FrameContext {
  client: Client
  hub: Hub
  /** Sends a frame to this socket only. */
  reply(frame: ServerFrame): void
  /** Sends an `error` frame; the socket stays open. */
  error(code: ErrorCode, message: string): void
}

type Handler<T extends ClientFrameType> = (frame: ClientFrame<T>, ctx: FrameContext) => void | Promise<void>

interface Registered {
  check: ReturnType<typeof Compile<TSchema>>
  handler: Handler<ClientFrameType>
}

/**
 * Who may join which live topic: a domain allows a prefix (`post:`) with a check
 * (can this user see post 4?). Topics without an allowing prefix are refused.
 */
export class TopicPolicy {
  private readonly rules = new Map<string, (userId: number, id: string) => boolean>()

  allow(prefix: string, check: (userId: number, id: string) => boolean): void {
    this.rules.set(prefix, check)
  }

  permits(userId: number, topic: string): boolean {
    const colon = topic.indexOf(':')
    if (colon <= 0) return false
    const rule = this.rules.get(topic.slice(0, colon + 1))
    return rule ? rule(userId, topic.slice(colon + 1)) : false
  }
}

/** The registry of client frame types: the core's below, others from domains. */
export class FrameRouter {
  private readonly handlers = new Map<string, Registered>()

  on<T extends ClientFrameType>(type: T, handler: Handler<T>): void {
    if (this.handlers.has(type)) throw new Error(`frame type ${type} is already handled`)
    this.handlers.set(type, { check: Compile(clientFrameSchemas[type] as TSchema), handler: handler as Handler<ClientFrameType> })
  }

  async dispatch(raw: string, ctx: FrameContext): Promise<void> {
    let frame: unknown
    try {
      frame = JSON.parse(raw)
    } catch {
      return ctx.error('bad_json', 'Frames must be JSON objects')
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
      return ctx.error('bad_json', 'Frames must be JSON objects')
    }
    const type = (frame as { type?: unknown }).type
    const entry = typeof type === 'string' ? this.handlers.get(type) : undefined
    if (!entry) return ctx.error('unknown_type', `Unknown frame type ${JSON.stringify(type ?? null).slice(0, 40)}`)
    if (!entry.check.Check(frame)) {
      const first = [...entry.check.Errors(frame)][0]
      const where = first?.instancePath ? `${first.instancePath.slice(1)}: ` : ''
      return ctx.error('invalid', `Invalid ${type} frame: ${where}${first?.message ?? 'does not match the schema'}`)
    }
    await entry.handler(frame as ClientFrame<ClientFrameType>, ctx)
  }
}

function sameOrigin(request: FastifyRequest, origin: string, allowed: string[]): boolean {
  if (allowed.includes(origin)) return true
  try {
    const url = new URL(origin)
    return url.host === request.headers.host && (url.protocol === 'http:' || url.protocol === 'https:')
  } catch {
    return false
  }
}

type Auth = { ok: true; principal: Principal } | { ok: false; code: number; reason: string }

export function authenticateUpgrade(request: FastifyRequest, allowedOrigins: string[]): Auth {
  const app = request.server
  const cookie = request.cookies[AUTH_COOKIE]
  if (cookie) {
    const origin = request.headers.origin
    // Browsers always send Origin on WebSocket upgrades; a cookie without one is not a browser page of ours.
    if (!origin || !sameOrigin(request, origin, allowedOrigins)) {
      return { ok: false, code: CloseCode.forbiddenOrigin, reason: 'origin not allowed' }
    }
    const principal = app.accounts.resolveToken(cookie)
    if (principal) return { ok: true, principal }
  }
  const query = request.query as { token?: unknown }
  const token = typeof query.token === 'string' ? query.token : bearerToken(request)
  const principal = app.accounts.resolveToken(token)
  if (principal) return { ok: true, principal }
  return { ok: false, code: CloseCode.unauthorized, reason: 'missing, invalid or expired token' }
}

/** Parses `since=`; undefined when absent, null when malformed. */
function parseSince(value: unknown): number | undefined | null {
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null
  return Number(value)
}

const MAX_TOPICS_PER_SOCKET = 20

export async function socketRoutes(app: FastifyInstance) {
  const { hub, notifications, config } = app
  const router = app.realtime.frames

  router.on('ping', (frame, ctx) => ctx.reply({ type: 'pong', ts: frame.ts ?? null }))
  router.on('get_count', (_frame, ctx) => ctx.reply({ type: 'count_update', ...notifications.counts(ctx.client.userId) }))
  router.on('mark_read', (frame, ctx) => {
    // markRead publishes count_update to every socket of the user (this one included).
    if (!notifications.markRead(ctx.client.userId, frame.id)) ctx.error('forbidden', `Notification ${frame.id} is not yours`)
  })
  router.on('mark_all_read', (_frame, ctx) => {
    notifications.markAllRead(ctx.client.userId)
  })
  router.on('subscribe', (frame, ctx) => {
    if (!app.realtime.topics.permits(ctx.client.userId, frame.topic)) return ctx.error('forbidden', `You cannot follow ${frame.topic}`)
    if (ctx.client.topics.size >= MAX_TOPICS_PER_SOCKET) return ctx.error('rate_limited', 'Too many topics on one socket')
    hub.subscribe(ctx.client, frame.topic)
  })
  router.on('unsubscribe', (frame, ctx) => hub.unsubscribe(ctx.client, frame.topic))

  const handler = (socket: WebSocket, request: FastifyRequest) => {
    if (hub.isClosing) return socket.close(CloseCode.restarting, 'server restarting')
    const auth = authenticateUpgrade(request, config.allowedOrigins)
    if (!auth.ok) return socket.close(auth.code, auth.reason)
    const { user, sessionId, expiresAt } = auth.principal
    const since = parseSince((request.query as { since?: unknown }).since)

    const client = hub.add(socket, user.id, sessionId, expiresAt)
    if (!client) return socket.close(CloseCode.tooMany, 'too many connections for this user')

    const ctx: FrameContext = {
      client,
      hub,
      reply: (frame) => void hub.send(client, frame),
      error: (code, message) => void hub.send(client, { type: 'error', code, message }),
    }

    socket.on('message', (data, isBinary) => {
      const now = Date.now()
      if (now - client.frameWindowStart >= 1000) {
        client.frameWindowStart = now
        client.framesInWindow = 0
      }
      if (++client.framesInWindow > config.ws.maxFramesPerSecond) {
        return hub.close(client, CloseCode.tooMany, 'too many frames per second')
      }
      if (isBinary) return ctx.error('bad_json', 'Frames must be JSON text')
      router.dispatch(data.toString(), ctx).catch((err) => {
        if (err instanceof DomainError) return ctx.error(err.frameCode, err.message)
        request.log.error({ err }, 'frame handler failed')
        ctx.error('invalid', 'The server could not handle that frame')
      })
    })
    socket.on('close', () => hub.remove(client))
    socket.on('error', (err) => request.log.debug({ err }, 'socket error'))

    // The snapshot first, then anything missed since the client's last id.
    const recent = notifications.list(user.id, { limit: 10 })
    const replay = typeof since === 'number' ? notifications.since(user.id, since) : null
    const initial: InitialFrame = {
      type: 'initial',
      ...notifications.counts(user.id),
      recent_notifications: recent,
      last_id: notifications.lastId(user.id),
      replay_truncated: replay?.truncated ?? false,
    }
    hub.send(client, initial)
    if (since === null) ctx.error('invalid', 'since must be a notification id; nothing was replayed')
    if (replay) {
      const counts = notifications.counts(user.id)
      for (const notification of replay.notifications) hub.send(client, { type: 'notification', notification, ...counts })
    }
    // Pushes of rows this socket already got here (committed before it opened) are skipped.
    for (const n of [...recent, ...(replay?.notifications ?? [])]) client.snapshotId = Math.max(client.snapshotId, n.id)
  }

  // Quiet per-connection logs (and never a URL with ?token=) unless the app logs even less.
  const logLevel = ['silent', 'fatal', 'error'].includes(config.logLevel) ? config.logLevel : 'warn'
  const route = { websocket: true, config: { csrf: false }, logLevel } as const
  app.get('/ws/notifications', route, handler)
  app.get('/ws/notifications/', route, handler)
}
