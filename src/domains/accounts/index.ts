/**
 * The accounts domain: users, logins and tokens. Decorates `app.accounts` (which the
 * request plumbing and the socket authentication ask who is calling), serves its pages
 * and API, and closes the sockets of a revoked login (live.ts).
 */
import fp from 'fastify-plugin'
import { accountsLive } from './live.js'
import { accountRoutes } from './routes.js'
import { createAccountService, type AccountService, type TokenClaims } from './service.js'
import { TokenCache } from './token-cache.js'

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountService
  }
}

export const accountsPlugin = fp(
  async (app) => {
    const tokens = new TokenCache()
    const accounts = createAccountService({
      db: app.db,
      bus: app.bus,
      tokenTtlSeconds: app.config.tokenTtlSeconds,
      signToken: (claims) => app.jwt.sign(claims),
      verifyToken: tokens.wrap((token) => {
        try {
          return app.jwt.verify<TokenClaims>(token)
        } catch {
          return null
        }
      }),
    })
    app.decorate('accounts', accounts)
    await app.register(accountRoutes)
    await app.register(accountsLive, { tokens })
  },
  { name: 'accounts', dependencies: ['@fastify/jwt', '@fastify/rate-limit', 'http', 'realtime'] },
)
