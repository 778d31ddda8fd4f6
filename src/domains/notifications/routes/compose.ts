/** Administrators compose notifications: the /admin/notifications page and POST /api/notifications. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { randomUUID } from 'node:crypto'
import { DomainError, invalid, type FieldErrors } from '../../../errors.js'
import { NOTIFICATION_KINDS, type NotificationDTO, type NotificationKind } from '../../../protocol.js'
import { renderPage, requireAdmin } from '../../../web/http.js'
import { ErrorBody } from '../../../web/schemas.js'
import Type from 'typebox'
import { isSafeLink, validateNotification } from '../compose.js'
import { categoryOf } from '../inbox-rules.js'
import { bodyHash, isIdempotencyKey } from '../idempotency.js'
import { DEFAULT_ICONS, type Notified, type Recipients } from '../service.js'
import { ComposeApiBody, ComposeForm, ComposePreview, Created } from './wire.js'

type Unresolved = { error: string }

const composeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { accounts, notifications } = app
  app.addHook('preHandler', requireAdmin)

  /** Resolves the recipients; unknown users are an error and nothing is sent. */
  async function recipientsOf(by: { ids?: number[]; usernames?: string[]; all?: boolean }): Promise<Recipients | Unresolved> {
    if (by.all) return { all: true }
    const { found, missing } = await accounts.resolveUsers({ ids: by.ids, usernames: by.usernames })
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
    const recipients = await recipientsOf({ ids: body.user_ids, usernames: body.usernames, all: body.all })
    if ('error' in recipients) throw new DomainError('invalid', recipients.error, { code: 'unknown_users' })
    const callerId = request.principal!.user.id
    const input = { ...checked.input, actorId: callerId }
    const result =
      key === undefined
        ? await notifications.notify(recipients, input)
        : await notifications.notifyOnce({ callerId, key, bodyHash: bodyHash(body) }, recipients, input)
    return reply.status(201).send(result)
  })

  /** The page; each render carries a fresh Idempotency-Key, so a form is sent at most once however often it is posted. */
  async function page(request: FastifyRequest, reply: FastifyReply, data: { values: Record<string, string | undefined>; errors: FieldErrors; sent: number | null; confirm?: number }) {
    return renderPage(request, reply, 'admin/notifications', { kinds: NOTIFICATION_KINDS, confirm: null, ...data, key: randomUUID(), preview: previewOf(request, data.values) })
  }

  /** The toast as recipients will see it (the same partial), from what the form holds so far. */
  function previewOf(request: FastifyRequest, values: Record<string, string | undefined>): NotificationDTO {
    const kind = (NOTIFICATION_KINDS as readonly string[]).includes(values.kind ?? '') ? (values.kind as NotificationKind) : 'system'
    const linkUrl = (values.link_url ?? '').trim()
    const user = request.principal!.user
    return {
      id: 0,
      kind,
      title: (values.title ?? '').trim() || 'Your title',
      message: (values.message ?? '').trim(),
      link_url: linkUrl && isSafeLink(linkUrl) ? linkUrl : null,
      link_text: (values.link_text ?? '').trim() || null,
      icon: DEFAULT_ICONS[kind],
      actor: { id: user.id, username: user.username },
      created_at: new Date().toISOString(),
      read: false,
      category: categoryOf(kind),
      thread: null,
      archived: false,
      snoozed_until: null,
      actions: [],
    }
  }

  app.get('/admin/notifications', async (request, reply) => page(request, reply, { values: { target: 'user', kind: 'system' }, errors: {}, sent: null }))

  app.post('/admin/notifications/preview', { schema: { body: ComposePreview } }, async (request, reply) => {
    reply.type('text/html')
    return app.realtime.content.partial('partials/toast', { n: previewOf(request, request.body), preview: true })
  })

  app.post('/admin/notifications', { schema: { body: ComposeForm } }, async (request, reply) => {
    const { idempotency_key: key, confirmed, _csrf, ...body } = request.body
    const errors: FieldErrors = {}
    const checked = validateNotification(body)
    if ('errors' in checked) Object.assign(errors, checked.errors)
    const usernames = (body.usernames ?? '').split(/[\s,;]+/).filter(Boolean)
    let recipients: Recipients | Unresolved = { error: 'Choose who gets it.' }
    if (body.target === 'all') recipients = { all: true }
    else if (body.target === 'user' && usernames.length !== 1) recipients = { error: 'Give exactly one username.' }
    else if (body.target === 'user' || body.target === 'users') recipients = await recipientsOf({ usernames })
    if ('error' in recipients) errors.usernames = recipients.error
    if (key !== undefined && !isIdempotencyKey(key)) errors.form = 'This form is damaged: reload the page.'
    if ('error' in recipients || !('input' in checked) || errors.form) {
      reply.status(422)
      return page(request, reply, { values: body, errors, sent: null })
    }
    // Everyone: first say how many it reaches, and send only once that is confirmed.
    if ('all' in recipients && confirmed !== '1') return page(request, reply, { values: body, errors: {}, sent: null, confirm: await notifications.reachOfAll(checked.input.kind) })
    const input = { ...checked.input, actorId: request.principal!.user.id }
    let result: Notified
    try {
      result =
        key === undefined
          ? await notifications.notify(recipients, input)
          : await notifications.notifyOnce({ callerId: input.actorId, key, bodyHash: bodyHash(body) }, recipients, input)
    } catch (err) {
      if (!(err instanceof DomainError && err.code === 'idempotency_key_reused')) throw err
      reply.status(422)
      return page(request, reply, { values: body, errors: { form: 'This form was already sent with other contents: check the inbox before sending again.' }, sent: null })
    }
    // Sent: the form starts again empty (same recipients choice).
    return page(request, reply, { values: { target: body.target, kind: 'system' }, errors: {}, sent: result.created })
  })
}

export default composeRoutes
