/** Administrators compose notifications: the /admin/notifications page and POST /api/notifications. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DomainError, invalid, type FieldErrors } from '../../../errors.js'
import { NOTIFICATION_KINDS } from '../../../protocol.js'
import { renderPage, requireAdmin } from '../../../web/http.js'
import { ErrorBody } from '../../../web/schemas.js'
import Type from 'typebox'
import { validateNotification } from '../compose.js'
import { bodyHash, isIdempotencyKey } from '../idempotency.js'
import type { Recipients } from '../service.js'
import { ComposeApiBody, ComposeForm, Created } from './wire.js'

type Unresolved = { error: string }

const composeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, notifications } = app
  app.addHook('preHandler', requireAdmin)

  /** Resolves the recipients; unknown users are an error and nothing is sent. */
  function recipientsOf(by: { ids?: number[]; usernames?: string[]; all?: boolean }): Recipients | Unresolved {
    if (by.all) return { all: true }
    const { found, missing } = accounts.resolveUsers({ ids: by.ids, usernames: by.usernames })
    if (missing.length) return { error: `Unknown user${missing.length > 1 ? 's' : ''}: ${missing.slice(0, 20).join(', ')}` }
    if (!found.length) return { error: 'Name at least one user, or send to everyone.' }
    return { userIds: found.map((u) => u.id) }
  }

  const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String()) })

  app.post('/api/notifications', { schema: { headers: IdempotencyHeaders, body: ComposeApiBody, response: { 201: Created, '4xx': ErrorBody } } }, async (request, reply) => {
    const key = request.headers['idempotency-key']
    if (key !== undefined && !isIdempotencyKey(key)) throw invalid('Idempotency-Key takes 1-255 printable characters')
    const body = request.body
    const targets = [body.user_ids, body.usernames, body.all ? true : undefined].filter((t) => t !== undefined)
    if (targets.length !== 1) throw invalid('Give exactly one of user_ids, usernames or all: true')
    const checked = validateNotification(body)
    if ('errors' in checked) throw invalid(checked.errors)
    const recipients = recipientsOf({ ids: body.user_ids, usernames: body.usernames, all: body.all })
    if ('error' in recipients) throw new DomainError('invalid', recipients.error, { code: 'unknown_users' })
    const callerId = request.principal!.user.id
    const input = { ...checked.input, actorId: callerId }
    const result =
      key === undefined
        ? notifications.notify(recipients, input)
        : notifications.notifyOnce({ callerId, key, bodyHash: bodyHash(body) }, recipients, input)
    return reply.status(201).send(result)
  })

  app.get('/admin/notifications', async (request, reply) =>
    renderPage(request, reply, 'admin/notifications', { values: { target: 'user', kind: 'system' }, errors: {}, kinds: NOTIFICATION_KINDS, sent: null }),
  )

  app.post('/admin/notifications', { schema: { body: ComposeForm } }, async (request, reply) => {
    const body = request.body
    const errors: FieldErrors = {}
    const checked = validateNotification(body)
    if ('errors' in checked) Object.assign(errors, checked.errors)
    const usernames = (body.usernames ?? '').split(/[\s,;]+/).filter(Boolean)
    let recipients: Recipients | Unresolved = { error: 'Choose who gets it.' }
    if (body.target === 'all') recipients = { all: true }
    else if (body.target === 'user' && usernames.length !== 1) recipients = { error: 'Give exactly one username.' }
    else if (body.target === 'user' || body.target === 'users') recipients = recipientsOf({ usernames })
    if ('error' in recipients) errors.usernames = recipients.error
    const page = { values: body, kinds: NOTIFICATION_KINDS }
    if ('error' in recipients || !('input' in checked)) {
      reply.status(422)
      return renderPage(request, reply, 'admin/notifications', { ...page, errors, sent: null })
    }
    const result = notifications.notify(recipients, { ...checked.input, actorId: request.principal!.user.id })
    return renderPage(request, reply, 'admin/notifications', { ...page, errors: {}, sent: result.created })
  })
}

export default composeRoutes
