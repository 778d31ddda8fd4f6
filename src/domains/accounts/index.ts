/**
 * The accounts domain: users, logins and tokens. Decorates `app.accounts` (which the
 * request plumbing and the socket route ask who is calling) and serves its pages and API.
 */
import fp from 'fastify-plugin'
import { accountRoutes } from './routes.js'
import { createAccountService, type AccountService, type TokenClaims } from './service.js'

declare module 'fastify' {
  interface FastifyInstance {
    accounts: AccountService
  }
}

export const accountsPlugin = fp(
  async (app) => {
    const accounts = createAccountService({
      db: app.db,
      bus: app.bus,
      tokenTtlSeconds: app.config.tokenTtlSeconds,
      signToken: (claims) => app.jwt.sign(claims),
      verifyToken: (token) => {
        try {
          return app.jwt.verify<TokenClaims>(token)
        } catch {
          return null
        }
      },
    })
    app.decorate('accounts', accounts)
    await app.register(accountRoutes)
  },
  { name: 'accounts', dependencies: ['@fastify/jwt', '@fastify/rate-limit', 'http'] },
)
