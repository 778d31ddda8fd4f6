/**
 * GET /ws/notifications: who the socket belongs to (the `authenticate` it is
 * given), the per-user and per-second limits, then client frames through the
 * frame router. What a socket gets on opening comes from the `onOpen` handlers of
 * the domains (the notifications snapshot).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { RawData, WebSocket } from 'ws'
import { DomainError } from '../errors.js'
import { CloseCode } from '../protocol.js'
import type { Client } from './client.js'
import type { FrameContext, FrameRouter } from './frames.js'
import { handleSocketError } from './socket-errors.js'
import type { SocketSlots } from './socket-slots.js'

/** Whose socket this is, until when. */
export interface SocketIdentity {
  userId: number
  sessionId: string
  /** ms since epoch: the socket closes with 4401 then. */
  expiresAt: number
}

/** Refused: the close code (4401, 4403) and its reason. */
export interface SocketRefusal {
  code: number
  reason: string
}

export type Authenticate = (request: FastifyRequest) => Promise<SocketIdentity | SocketRefusal>

/**
 * Runs once a socket is accepted and registered, before any of its frames is
 * handled. The socket is held until every one has settled: what they send
 * with `hub.sendAhead` goes out first, everything else after.
 */
export type OpenHandler = (client: Client, request: FastifyRequest, ctx: FrameContext) => void | Promise<void>

export interface SocketRouteOptions {
  authenticate: Authenticate
  frames: FrameRouter
  openHandlers: OpenHandler[]
  /** The per-user cap across processes (Redis), besides the hub's own. */
  slots: SocketSlots
}

const MAX_TOPICS_PER_SOCKET = 20

export async function socketRoutes(app: FastifyInstance, { authenticate, frames, openHandlers, slots }: SocketRouteOptions) {
  const { hub, config } = app

  frames.on('ping', (frame, ctx) => ctx.reply({ type: 'pong', ts: frame.ts ?? null }))
  frames.on('subscribe', async (frame, ctx) => {
    if (!(await app.realtime.topics.permits(ctx.client.userId, frame.topic))) return ctx.error('forbidden', `You cannot follow ${frame.topic}`)
    if (ctx.client.topics.size >= MAX_TOPICS_PER_SOCKET) return ctx.error('rate_limited', 'Too many topics on one socket')
    hub.subscribe(ctx.client, frame.topic)
  })
  frames.on('unsubscribe', (frame, ctx) => hub.unsubscribe(ctx.client, frame.topic))

  // Quiet per-connection logs (and never a URL with ?token=) unless the app logs even less.
  const logLevel = ['silent', 'fatal', 'error'].includes(config.logLevel) ? config.logLevel : 'warn'
  const log = app.log.child({ route: 'socket' }, { level: logLevel })
  function onSocketError(this: WebSocket, error: Error) {
    handleSocketError(log, error, this)
  }

  /**
   * A socket lives for hours; it must not keep the upgrade's Fastify request and
   * reply, their raw request and response and a child logger reachable (~2.5 KiB a
   * socket, bench/README.md). Two things held them: @fastify/websocket's error
   * listener closes over them (replaced by one shared listener, same handling), and
   * the net.Socket still points at the response it was assigned to.
   */
  function letGoOfUpgrade(socket: WebSocket, request: FastifyRequest): void {
    const raw = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null }
    raw._httpMessage?.detachSocket(raw)
    socket.removeAllListeners('error')
    socket.on('error', onSocketError)
  }

  const handler = (socket: WebSocket, request: FastifyRequest) => {
    letGoOfUpgrade(socket, request)
    if (hub.isClosing) return socket.close(CloseCode.restarting, 'server restarting')
    // The login is read from the database and, across processes, the cap asked of
    // Redis: frames sent meanwhile wait for the answers.
    const early: Array<[RawData, boolean]> = []
    const hold = (data: RawData, isBinary: boolean) => void early.push([data, isBinary])
    socket.on('message', hold)
    authenticate(request).then(
      async (identity) => {
        if ('code' in identity) return socket.close(identity.code, identity.reason)
        const granted = await slots.acquire(identity.userId)
        socket.off('message', hold)
        admit(socket, request, identity, granted, early)
      },
      (err: unknown) => {
        log.error({ err }, 'socket authentication failed')
        socket.close(CloseCode.restarting, 'server restarting')
      },
    ).catch((err: unknown) => {
      log.error({ err }, 'socket cap check failed')
      socket.close(CloseCode.restarting, 'server restarting')
    })
  }

  function admit(socket: WebSocket, request: FastifyRequest, identity: SocketIdentity, granted: boolean, early: Array<[RawData, boolean]>) {
    if (!granted) return socket.close(CloseCode.tooMany, 'too many connections for this user')
    const release = () => slots.release(identity.userId)
    if (socket.readyState !== 1 || hub.isClosing) {
      // Gone (or the server began closing) while the cap was checked.
      release()
      if (socket.readyState === 1) socket.close(CloseCode.restarting, 'server restarting')
      return
    }
    const client = hub.add(socket, identity.userId, identity.sessionId, identity.expiresAt, true)
    if (!client) {
      release()
      return socket.close(CloseCode.tooMany, 'too many connections for this user')
    }

    const ctx: FrameContext = {
      client,
      hub,
      reply: (frame) => void hub.send(client, frame),
      error: (code, message) => void hub.send(client, { type: 'error', code, message }),
    }

    const onMessage = (data: RawData, isBinary: boolean) => {
      const now = Date.now()
      if (now - client.frameWindowStart >= 1000) {
        client.frameWindowStart = now
        client.framesInWindow = 0
      }
      if (++client.framesInWindow > config.ws.maxFramesPerSecond) {
        return hub.close(client, CloseCode.tooMany, 'too many frames per second')
      }
      if (isBinary) return ctx.error('bad_json', 'Frames must be JSON text')
      const raw = data.toString()
      // One frame at a time per socket, after the opening frames: handlers read the
      // database asynchronously, and a socket's frames are answered in order.
      turn = turn.then(() =>
        frames.dispatch(raw, ctx).catch((err) => {
          if (err instanceof DomainError) return ctx.error(err.frameCode, err.message)
          log.error({ err, userId: client.userId }, 'frame handler failed')
          ctx.error('invalid', 'The server could not handle that frame')
        }),
      )
    }
    socket.on('message', onMessage)
    socket.on('close', () => {
      hub.remove(client)
      release()
    })
    let turn: Promise<void> = (client.opening = opening(client, request, ctx))
    for (const [data, isBinary] of early) onMessage(data, isBinary)
  }

  /**
   * The opening frames, then the socket is released to what was sent to it meanwhile.
   * Apart from admit() so that none of admit's closures (which live as long as the
   * socket) holds the upgrade request.
   */
  async function opening(client: Client, request: FastifyRequest, ctx: FrameContext): Promise<void> {
    try {
      for (const open of openHandlers) await open(client, request, ctx)
    } catch (err) {
      log.error({ err, userId: client.userId }, 'socket open handler failed')
    } finally {
      client.opening = null
      hub.release(client)
    }
  }

  const route = { websocket: true, config: { csrf: false }, logLevel } as const
  app.get('/ws/notifications', route, handler)
  app.get('/ws/notifications/', route, handler)
}
