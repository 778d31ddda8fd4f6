/**
 * Accounts on the socket: who an upgrade belongs to, and sockets of a revoked
 * login closing (4401) on every process.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { CloseCode } from '../../protocol.js'
import type { SocketIdentity, SocketRefusal } from '../../realtime/socket-route.js'
import { AUTH_COOKIE, bearerToken } from '../../web/http.js'
import type {} from './events.js'
import type { Principal } from './service.js'
import type { TokenCache } from './token-cache.js'

function sameOrigin(request: FastifyRequest, origin: string, allowed: string[]): boolean {
  if (allowed.includes(origin)) return true
  try {
    const url = new URL(origin)
    return url.host === request.headers.host && (url.protocol === 'http:' || url.protocol === 'https:')
  } catch {
    return false
  }
}

const identity = ({ user, sessionId, expiresAt }: Principal): SocketIdentity => ({ userId: user.id, sessionId, expiresAt })

/**
 * The login cookie (same origin only), then `?token=`, then `Authorization: Bearer`.
 * Refusals carry the close code the protocol gives them.
 */
export async function authenticateSocket(request: FastifyRequest): Promise<SocketIdentity | SocketRefusal> {
  const { accounts, config } = request.server
  const cookie = request.cookies[AUTH_COOKIE]
  if (cookie) {
    const origin = request.headers.origin
    // Browsers always send Origin on WebSocket upgrades; a cookie without one is not a browser page of ours.
    if (!origin || !sameOrigin(request, origin, config.allowedOrigins)) {
      return { code: CloseCode.forbiddenOrigin, reason: 'origin not allowed' }
    }
    const principal = await accounts.resolveToken(cookie)
    if (principal) return identity(principal)
  }
  const query = request.query as { token?: unknown }
  const token = typeof query.token === 'string' ? query.token : bearerToken(request)
  const principal = await accounts.resolveToken(token)
  if (principal) return identity(principal)
  return { code: CloseCode.unauthorized, reason: 'missing, invalid or expired token' }
}

/**
 * Sockets of a revoked login close, on every process that holds one, and the
 * process drops the login's verified tokens (the session check refuses them anyway).
 */
export const accountsLive = fp<{ tokens: TokenCache }>(
  async (app: FastifyInstance, { tokens }) => {
    app.hub.onEvent('session_revoked', (event) => {
      tokens.forgetSession(event.sessionId)
      app.hub.closeSession(event.sessionId, CloseCode.unauthorized, 'logged out')
    })
  },
  { name: 'accounts-live', dependencies: ['realtime'] },
)
