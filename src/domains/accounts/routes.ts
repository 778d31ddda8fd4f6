/**
 * Sign up, log in and out (pages), and the token API. Validation messages come from
 * the service (`invalid` with field messages) and are shown next to their fields.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { DomainError, type FieldErrors } from '../../errors.js'
import { redirectAfterPost, rejectedFields } from '../../web/forms.js'
import { AUTH_COOKIE, currentUser, renderPage, requireUser } from '../../web/http.js'
import { ErrorBody, PublicUserBody } from '../../web/schemas.js'
import { toPublicUser } from './service.js'

const Credentials = {
  username: Type.String({ maxLength: 100 }),
  password: Type.String({ maxLength: 500 }),
}
const Next = Type.Optional(Type.String({ maxLength: 500 }))
const LoginBody = Type.Object({ ...Credentials, next: Next })
const RegisterBody = Type.Object({
  ...Credentials,
  first_name: Type.Optional(Type.String({ maxLength: 100 })),
  last_name: Type.Optional(Type.String({ maxLength: 100 })),
})
const TokenBody = Type.Object(Credentials)
const TokenAnswer = Type.Object({ token: Type.String(), expires_at: Type.String(), user: PublicUserBody })
const MeAnswer = Type.Object({ user: PublicUserBody, is_admin: Type.Boolean() })

/** Only same-site paths: `/notifications`, not `//evil.example` or `https://...`. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/'
}

async function formPage(request: FastifyRequest, reply: FastifyReply, template: string, data: { values: object; errors: FieldErrors; next?: string }) {
  reply.status(422)
  return renderPage(request, reply, template, data)
}

export const accountRoutes: FastifyPluginAsyncTypebox = async (app) => {
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

  app.get('/login', { schema: { querystring: Type.Object({ next: Next }) } }, async (request, reply) => {
    const next = safeNext(request.query.next)
    if (request.principal) return reply.redirect(next)
    return renderPage(request, reply, 'accounts/login', { values: { username: '' }, errors: {}, next })
  })

  app.post('/login', { schema: { body: LoginBody }, config: authLimit }, async (request, reply) => {
    const { username, password } = request.body
    const next = safeNext(request.body.next)
    let login
    try {
      login = await accounts.login(await accounts.authenticate(username, password), 'cookie')
    } catch (err) {
      if (!(err instanceof DomainError && err.kind === 'unauthorized')) throw err
      return formPage(request, reply, 'accounts/login', { values: { username }, errors: { form: 'Wrong username or password.' }, next })
    }
    setLoginCookie(reply, login.token, login.expiresAt)
    return redirectAfterPost(request, reply, next)
  })

  app.get('/register', async (request, reply) => {
    if (request.principal) return reply.redirect('/')
    return renderPage(request, reply, 'accounts/register', { values: {}, errors: {} })
  })

  app.post('/register', { schema: { body: RegisterBody }, config: authLimit }, async (request, reply) => {
    const body = request.body
    let registered
    try {
      registered = await accounts.register({ username: body.username, password: body.password, firstName: body.first_name, lastName: body.last_name })
    } catch (err) {
      return formPage(request, reply, 'accounts/register', { values: body, errors: rejectedFields(err) })
    }
    const login = await accounts.login(registered.user, 'cookie')
    setLoginCookie(reply, login.token, login.expiresAt)
    return redirectAfterPost(request, reply, '/')
  })

  app.post('/logout', async (request, reply) => {
    if (request.principal) await accounts.logout(request.principal.sessionId)
    reply.clearCookie(AUTH_COOKIE, { path: '/' })
    return redirectAfterPost(request, reply, '/login')
  })

  // ------------------------------------------------------------ JSON API

  app.post(
    '/api/auth/token',
    { schema: { body: TokenBody, response: { 200: TokenAnswer, '4xx': ErrorBody } }, config: { ...authLimit, csrf: false } },
    async (request) => {
      const user = await accounts.authenticate(request.body.username, request.body.password)
      const login = await accounts.login(user, 'api')
      return { token: login.token, expires_at: new Date(login.expiresAt).toISOString(), user: toPublicUser(user) }
    },
  )

  await app.register(loggedInRoutes)
}

/** The API of the calling login: a guard for the whole plugin. */
const loggedInRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts } = app
  app.addHook('preHandler', requireUser)

  /** Revokes the calling login (bearer or cookie); its sockets close with 4401. */
  app.post('/api/auth/logout', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }), '4xx': ErrorBody } } }, async (request) => {
    await accounts.logout(request.principal!.sessionId)
    return { ok: true }
  })

  app.get('/api/me', { schema: { response: { 200: MeAnswer, '4xx': ErrorBody } } }, async (request) => {
    const user = currentUser(request)
    return { user: toPublicUser(user), is_admin: user.isAdmin }
  })
}
