/**
 * What an error on an accepted socket does, whichever listener hears it: the
 * plugin's own (an error before the route kept the socket) or the route's shared
 * one (socket-route.ts), which logs through a logger that does not keep the
 * upgrade request alive.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { WebSocket } from 'ws'

export function handleSocketError(log: FastifyBaseLogger, error: Error, socket: WebSocket): void {
  const code = (error as NodeJS.ErrnoException).code
  // A frame past maxPayload (and any other protocol error) makes ws close the socket
  // with the right code (1009) before it emits 'error'; terminating it here would cut
  // that close frame off while the client is still sending (it would see 1006).
  if (code?.startsWith('WS_ERR_')) return log.warn({ code, reason: error.message }, 'socket closed: protocol error')
  // A connection reset by the client: nothing to report.
  if (code) log.debug({ code, reason: error.message }, 'socket error')
  else log.error({ err: error }, 'socket handler failed')
  socket.terminate()
}
