/** Cookies, signed tokens (JWT), CSRF tokens for cookie-authenticated changes, form bodies, rate limits. */
import fastifyCookie from '@fastify/cookie'
import fastifyCsrf from '@fastify/csrf-protection'
import fastifyFormbody from '@fastify/formbody'
import fastifyJwt from '@fastify/jwt'
import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { sharedRateLimitStore } from './rate-limit-store.js'

export default fp(
  async (app: FastifyInstance) => {
    const { config } = app
    await app.register(fastifyCookie)
    await app.register(fastifyJwt, { secret: config.jwtSecret })
    await app.register(fastifyCsrf, {
      sessionPlugin: '@fastify/cookie',
      cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: config.cookieSecure, signed: false },
    })
    await app.register(fastifyFormbody)
    // With REDIS_URL the counts are shared by every process (per process while Redis is away).
    const store = app.sharedRedis ? sharedRateLimitStore(app.sharedRedis) : undefined
    await app.register(fastifyRateLimit, { global: false, store })
  },
  { name: 'session', dependencies: ['shared-redis'] },
)
