import Type, { type Static } from 'typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../../errors.js'
import { AUTH_COOKIE, renderPage, requireUser } from '../../web/http.js'
import type { FieldErrors } from '../../errors.js'
import { toPublicUser } from './service.js'

const LoginBody = Type.Object({
  username: Type.String({ maxLength: 100 }),
  password: Type.String({ maxLength: 500 }),
  next: Type.Optional(Type.String({ maxLength: 500 })),
})
const RegisterBody = Type.Object({
  username: Type.String({ maxLength: 100 }),
  password: Type.String({ maxLength: 500 }),
  first_name: Type.Optional(Type.String({ maxLength: 100 })),
  last_name: Type.Optional(Type.String({ maxLength: 100 })),
})
const TokenBody = Type.Object({ username: Type.String({ maxLength: 100 }), password: Type.String({ maxLength: 500 }) })

/** Only same-site paths: `/notifications`, not `//evil.example` or `https://...`. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/'
}

export async function accountRoutes(app: FastifyInstance) {
  const { accounts, config } = app
  const authLimit = { rateLimit: { max: config.authRateLimitPerMinute, timeWindow: '1 minute' } }

  function setLoginCookie(reply: FastifyReply, token: string, expiresAt: number) {
    reply.setCookie(AUTH_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.cookieSecure,
      expires: new Date(expiresAt),
    })
  }

  function formPage(request: FastifyRequest, reply: FastifyReply, template: string, status: number, data: Record<string, unknown>) {
    reply.status(status)
    return renderPage(request, reply, template, data)
  }

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next)
    if (request.principal) return reply.redirect(next)
    return renderPage(request, reply, 'accounts/login', { values: { username: '' }, errors: {}, next })
  })

  app.post<{ Body: Static<typeof LoginBody> }>('/login', { schema: { body: LoginBody }, config: authLimit }, async (request, reply) => {
    const { username, password } = request.body
    const next = safeNext(request.body.next)
    const user = await accounts.authenticate(username, password)
    if (!user) {
      const errors: FieldErrors = { form: 'Wrong username or password.' }
      return formPage(request, reply, 'accounts/login', 422, { values: { username }, errors, next })
    }
    const login = accounts.login(user, 'cookie')
    setLoginCookie(reply, login.token, login.expiresAt)
    if (request.headers['hx-request'] === 'true') {
      reply.header('HX-Redirect', next)
      return reply.status(204).send()
    }
    return reply.redirect(next, 303)
  })

  app.get('/register', async (request, reply) => {
    if (request.principal) return reply.redirect('/')
    return renderPage(request, reply, 'accounts/register', { values: {}, errors: {} })
  })

  app.post<{ Body: Static<typeof RegisterBody> }>(
    '/register',
    { schema: { body: RegisterBody }, config: authLimit },
    async (request, reply) => {
      const body = request.body
      const result = await accounts.register({
        username: body.username,
        password: body.password,
        firstName: body.first_name,
        lastName: body.last_name,
      })
      if ('errors' in result) {
        return formPage(request, reply, 'accounts/register', 422, { values: body, errors: result.errors })
      }
      const login = accounts.login(result.user, 'cookie')
      setLoginCookie(reply, login.token, login.expiresAt)
      if (request.headers['hx-request'] === 'true') {
        reply.header('HX-Redirect', '/')
        return reply.status(204).send()
      }
      return reply.redirect('/', 303)
    },
  )

  app.post('/logout', async (request, reply) => {
    if (request.principal) accounts.logout(request.principal.sessionId)
    reply.clearCookie(AUTH_COOKIE, { path: '/' })
    if (request.headers['hx-request'] === 'true') {
      reply.header('HX-Redirect', '/login')
      return reply.status(204).send()
    }
    return reply.redirect('/login', 303)
  })

  // ------------------------------------------------------------ JSON API

  app.post<{ Body: Static<typeof TokenBody> }>(
    '/api/auth/token',
    { schema: { body: TokenBody }, config: { ...authLimit, csrf: false } },
    async (request) => {
      const user = await accounts.authenticate(request.body.username, request.body.password)
      if (!user) throw new DomainError('unauthorized', 'Wrong username or password', { code: 'invalid_credentials' })
      const login = accounts.login(user, 'api')
      return { token: login.token, expires_at: new Date(login.expiresAt).toISOString(), user: toPublicUser(user) }
    },
  )

  /** Revokes the calling login (bearer or cookie); its sockets close with 4401. */
  app.post('/api/auth/logout', { preHandler: requireUser }, async (request) => {
    accounts.logout(request.principal!.sessionId)
    return { ok: true }
  })

  app.get('/api/me', { preHandler: requireUser }, async (request) => {
    const user = request.principal!.user
    return { user: toPublicUser(user), is_admin: user.isAdmin }
  })
}
