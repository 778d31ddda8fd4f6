/**
 * Security headers: a strict Content-Security-Policy (htmx and the sockets allowed), HSTS behind TLS.
 * helmet's middleware is run once at startup against a recording response and the
 * headers it sets are copied onto every answer: @fastify/helmet rebuilt the
 * middleware (CSP parsing included) in two async hooks on every request, which cost
 * about 3% of a JSON POST (bench/README.md). JSON answers under /api/ get the few
 * headers that mean something for a non-page (nosniff, a deny-all CSP, HSTS); the
 * WebSocket upgrade answer is written by ws and gets none either way.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** The headers helmet sets with these options, lower-cased. */
export function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value)
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()]
    },
  }
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err
  })
  return headers
}

export default fp(
  async (app: FastifyInstance) => {
    const secure = app.config.cookieSecure
    const page = helmetHeaders({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // htmx inserts its indicator styles at runtime.
          styleSrc: ["'self'", "'unsafe-inline'"],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: secure ? [] : null,
        },
      },
      strictTransportSecurity: secure,
      // The Referer of a same-site form tells the login page where the user came from.
      referrerPolicy: { policy: 'same-origin' },
    })
    const api: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    }
    if (page['strict-transport-security']) api['strict-transport-security'] = page['strict-transport-security']

    app.addHook('onRequest', (request, reply, done) => {
      const { url } = request
      if (!url.startsWith('/ws/')) reply.headers(url.startsWith('/api/') ? api : page)
      done()
    })
  },
  { name: 'security-headers' },
)
