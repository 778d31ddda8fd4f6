import type { FastifyInstance } from 'fastify'
import Type, { type Static } from 'typebox'
import { NOTIFICATION_KINDS, type NotificationKind } from '../../protocol.js'
import { DomainError, invalid } from '../../errors.js'
import { renderPage, requireAdmin } from '../../web/http.js'
import type { FieldErrors } from '../../errors.js'
import type { NotificationInput, Recipients } from '../notifications/service.js'

const ApiBody = Type.Object({
  user_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10000 })),
  usernames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 10000 })),
  all: Type.Optional(Type.Boolean()),
  title: Type.String(),
  message: Type.String(),
  kind: Type.Optional(Type.String()),
  link_url: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  link_text: Type.Optional(Type.Union([Type.String(), Type.Null()])),
})

const FormBody = Type.Object({
  target: Type.String(),
  usernames: Type.Optional(Type.String({ maxLength: 100000 })),
  title: Type.String(),
  message: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  link_url: Type.Optional(Type.String()),
  link_text: Type.Optional(Type.String()),
})

/** Relative paths on this site or http(s) URLs; never `javascript:` and friends. */
export function isSafeLink(url: string): boolean {
  if (/^\/(?![/\\])/.test(url)) return true
  try {
    const u = new URL(url)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

/** Checks the fields of a test notification; errors keyed by field name. */
export function validateNotification(fields: {
  title?: string
  message?: string
  kind?: string
  link_url?: string | null
  link_text?: string | null
}): { input: NotificationInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {}
  const title = (fields.title ?? '').trim()
  const message = (fields.message ?? '').trim()
  const kind = (fields.kind || 'system') as NotificationKind
  const linkUrl = (fields.link_url ?? '').trim() || null
  const linkText = (fields.link_text ?? '').trim() || null
  if (!title) errors.title = 'A title is required.'
  else if (title.length > 200) errors.title = 'At most 200 characters.'
  if (message.length > 2000) errors.message = 'At most 2000 characters.'
  if (!NOTIFICATION_KINDS.includes(kind)) errors.kind = `One of ${NOTIFICATION_KINDS.join(', ')}.`
  if (linkUrl && (linkUrl.length > 500 || !isSafeLink(linkUrl))) errors.link_url = 'A path like /blog or an http(s) URL.'
  if (linkText && linkText.length > 100) errors.link_text = 'At most 100 characters.'
  if (Object.keys(errors).length) return { errors }
  return { input: { kind, title, message, linkUrl, linkText } }
}

export async function adminRoutes(app: FastifyInstance) {
  const { accounts, notifications } = app

  /** Resolves the recipients; unknown users are an error and nothing is sent. */
  function recipientsOf(by: { ids?: number[]; usernames?: string[]; all?: boolean }): Recipients | { error: string } {
    if (by.all) return { all: true }
    const { found, missing } = accounts.resolveUsers({ ids: by.ids, usernames: by.usernames })
    if (missing.length) return { error: `Unknown user${missing.length > 1 ? 's' : ''}: ${missing.slice(0, 20).join(', ')}` }
    if (!found.length) return { error: 'Name at least one user, or send to everyone.' }
    return { userIds: found.map((u) => u.id) }
  }

  app.post<{ Body: Static<typeof ApiBody> }>(
    '/api/notifications',
    { preHandler: requireAdmin, schema: { body: ApiBody } },
    async (request, reply) => {
      const body = request.body
      const targets = [body.user_ids, body.usernames, body.all ? true : undefined].filter((t) => t !== undefined)
      if (targets.length !== 1) throw invalid('Give exactly one of user_ids, usernames or all: true')
      const checked = validateNotification(body)
      if ('errors' in checked) {
        const [field, message] = Object.entries(checked.errors)[0]!
        throw invalid(`${field}: ${message}`)
      }
      const recipients = recipientsOf({ ids: body.user_ids, usernames: body.usernames, all: body.all })
      if ('error' in recipients) throw new DomainError('invalid', recipients.error, { code: 'unknown_users' })
      const result = notifications.notify(recipients, { ...checked.input, actorId: request.principal!.user.id })
      return reply.status(201).send(result)
    },
  )

  app.get('/admin/notifications', { preHandler: requireAdmin }, async (request, reply) =>
    renderPage(request, reply, 'admin/notifications', {
      values: { target: 'user', kind: 'system' },
      errors: {},
      kinds: NOTIFICATION_KINDS,
      sent: null,
    }),
  )

  app.post<{ Body: Static<typeof FormBody> }>(
    '/admin/notifications',
    { preHandler: requireAdmin, schema: { body: FormBody } },
    async (request, reply) => {
      const body = request.body
      const errors: FieldErrors = {}
      const checked = validateNotification(body)
      if ('errors' in checked) Object.assign(errors, checked.errors)
      const usernames = (body.usernames ?? '').split(/[\s,;]+/).filter(Boolean)
      let recipients: Recipients | { error: string } = { error: 'Choose who gets it.' }
      if (body.target === 'all') recipients = { all: true }
      else if (body.target === 'user' && usernames.length !== 1) recipients = { error: 'Give exactly one username.' }
      else if (body.target === 'user' || body.target === 'users') recipients = recipientsOf({ usernames })
      if ('error' in recipients) errors.usernames = recipients.error
      const page = { values: body, kinds: NOTIFICATION_KINDS }
      if (Object.keys(errors).length || 'error' in recipients || !('input' in checked)) {
        reply.status(422)
        return renderPage(request, reply, 'admin/notifications', { ...page, errors, sent: null })
      }
      const result = notifications.notify(recipients, { ...checked.input, actorId: request.principal!.user.id })
      return renderPage(request, reply, 'admin/notifications', { ...page, errors: {}, sent: result.created })
    },
  )
}
