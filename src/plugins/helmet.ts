/** Security headers: a strict Content-Security-Policy (htmx and the sockets allowed), HSTS behind TLS. */
import fastifyHelmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'

export default fp(
  async (app: FastifyInstance) => {
    const secure = app.config.cookieSecure
    await app.register(fastifyHelmet, {
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
  },
  { name: 'security-headers' },
)
