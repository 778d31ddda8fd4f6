/**
 * Request plumbing shared by every domain's routes: who is calling (cookie or
 * bearer token), CSRF for cookie-authenticated changes, the guards, and one
 * error format: `{"error", "message"}` for API clients, an error page for browsers.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Principal } from '../domains/accounts/service.js'
import { DomainError, forbidden, unauthorized } from '../errors.js'

export const AUTH_COOKIE = 'token'


declare module 'fastify' {
  interface FastifyInstance {
    /** What a domain adds to every page's layout for the logged-in user (a navbar count), read when a page renders. */
    pageLocalsOf: Map<string, (userId: number) => Promise<unknown>>
  }
  interface FastifyRequest {
    principal: Principal | null
    /** How the principal was found: only 'cookie' requests need a CSRF token. */
    authVia: 'cookie' | 'bearer' | null
  }
}

/** API clients get JSON; browsers (and htmx) get HTML. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/')) return true
  const accept = request.headers.accept ?? ''
  return accept.includes('application/json') && !accept.includes('text/html')
}

export function isHtmx(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true'
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (!header) return null
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  return match ? match[1]! : null
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface HttpPluginOptions {
  resolveToken(token: string | null | undefined): Promise<Principal | null>
}

export const httpPlugin = fp<HttpPluginOptions>(
  async (app: FastifyInstance, { resolveToken }) => {
    app.decorate('pageLocalsOf', new Map())
    app.decorateRequest('principal', null)
    app.decorateRequest('authVia', null)

    app.addHook('onRequest', async (request) => {
      const bearer = bearerToken(request)
      if (bearer) {
        request.principal = await resolveToken(bearer)
        request.authVia = request.principal ? 'bearer' : null
        return
      }
      const cookie = request.cookies[AUTH_COOKIE]
      if (cookie) {
        request.principal = await resolveToken(cookie)
        request.authVia = request.principal ? 'cookie' : null
      }
    })

    // Every change made through a browser (cookie or not yet logged in) carries a
    // CSRF token: the form's `_csrf` field or the `x-csrf-token` header htmx sends.
    // Bearer-token calls cannot be forged cross-site, so they need none.
    app.addHook('preHandler', (request, reply, done) => {
      if (!UNSAFE.has(request.method) || request.authVia === 'bearer' || request.routeOptions.config.csrf === false) {
        return done()
      }
      // An API call with no credentials at all has nothing to forge: it gets the route's
      // own answer (401 from the guard) instead of a misleading CSRF 403.
      if (!request.principal && !request.cookies[AUTH_COOKIE] && request.url.startsWith('/api/')) return done()
      app.csrfProtection(request, reply, done)
    })

    app.setErrorHandler(async (error: FastifyError | DomainError, request, reply) => {
      let status = error.statusCode ?? 500
      let code = error instanceof DomainError ? error.code : 'internal'
      let message = error.message
      if (!(error instanceof DomainError)) {
        if ((error as FastifyError).validation) {
          status = 400
          code = 'invalid'
        } else if ((error as FastifyError).code?.startsWith('FST_CSRF')) {
          status = 403
          code = 'csrf'
          message = 'Missing or invalid CSRF token; reload the page and try again'
        } else if (status === 429) {
          code = 'rate_limited'
        } else if (status === 415) {
          code = 'unsupported_media_type'
        } else if (status === 413) {
          code = 'too_large'
        } else if (status >= 400 && status < 500) {
          code = 'bad_request'
        }
      }
      if (status >= 500) {
        request.log.error({ err: error }, 'request failed')
        message = 'Something went wrong on our side'
      }
      reply.status(status)
      const fields = error instanceof DomainError ? error.fields : undefined
      if (wantsJson(request)) return reply.send(fields ? { error: code, message, fields } : { error: code, message })
      return reply.view('error', { status, message, ...await pageLocals(request, reply) })
    })

    app.setNotFoundHandler(async (request, reply) => {
      reply.status(404)
      if (wantsJson(request)) return reply.send({ error: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` })
      return reply.view('error', { status: 404, message: 'There is no page at this address.', ...await pageLocals(request, reply) })
    })
  },
  { name: 'http', dependencies: ['@fastify/cookie', '@fastify/csrf-protection', '@fastify/view'] },
)

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: this unsafe route is exempt from the CSRF check (it authenticates otherwise). */
    csrf?: boolean
  }
}

/** Data every page's layout needs (navbar, badge, CSRF token). */
export async function pageLocals(request: FastifyRequest, reply: FastifyReply) {
  const user = request.principal?.user ?? null
  const app = request.server
  const extra: Record<string, unknown> = {}
  if (user) for (const [name, read] of app.pageLocalsOf) extra[name] = await read(user.id)
  return {
    ...extra,
    user,
    counts: user ? await app.notifications.counts(user.id) : null,
    /** The page's first socket resumes after this id, so nothing created meanwhile is lost. */
    lastNotificationId: user ? await app.notifications.lastId(user.id) : 0,
    csrfToken: reply.generateCsrf(),
    path: request.url.split('?')[0],
  }
}

/** Renders a page template inside the layout with the common locals. */
export async function renderPage(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown> = {}) {
  return reply.view(template, { ...await pageLocals(request, reply), ...data })
}

/**
 * Where the login page sends the user back to: the address itself for a page (GET), else
 * the page the action was sent from (htmx's HX-Current-URL or the Referer, same origin
 * only): an action's address such as /notifications/read-all only takes POST, and would
 * answer "Not found".
 */
export function returnPath(request: FastifyRequest): string {
  if (request.method === 'GET' || request.method === 'HEAD') return request.url
  const from = request.headers['hx-current-url'] ?? request.headers.referer
  if (typeof from !== 'string') return '/'
  try {
    const url = new URL(from)
    return url.host === request.headers.host ? url.pathname + url.search : '/'
  } catch {
    return '/'
  }
}

/** Guard: a logged-in user, else 401 (API) or a redirect to the login page. */
export async function requireUser(request: FastifyRequest, reply: FastifyReply) {
  if (request.principal) return
  if (wantsJson(request)) throw unauthorized()
  const next = encodeURIComponent(returnPath(request))
  if (isHtmx(request)) {
    reply.header('HX-Redirect', `/login?next=${next}`)
    return reply.status(401).send('')
  }
  return reply.redirect(`/login?next=${next}`)
}

/** Guard: an admin, else 403 (after requireUser's 401). */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply) {
  await requireUser(request, reply)
  if (reply.sent) return
  if (!request.principal!.user.isAdmin) throw forbidden('Only administrators can do that')
}

/** The logged-in user of a guarded route. */
export function currentUser(request: FastifyRequest) {
  if (!request.principal) throw unauthorized()
  return request.principal.user
}
