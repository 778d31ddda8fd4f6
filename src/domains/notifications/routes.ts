import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import Type, { type Static } from 'typebox'
import { notFound } from '../../errors.js'
import { currentUser, isHtmx, renderPage, requireUser } from '../../web/http.js'

const ListQuery = Type.Object({
  unread: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1 })),
})
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })

const PAGE_SIZE = 20

export async function notificationRoutes(app: FastifyInstance) {
  const { notifications } = app
  const guarded = { preHandler: requireUser }

  // ------------------------------------------------------------ JSON API

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/notifications',
    { ...guarded, schema: { querystring: ListQuery } },
    async (request) => {
      const user = currentUser(request)
      const q = request.query
      const list = notifications.list(user.id, {
        unread: q.unread === '1' || q.unread === 'true',
        limit: q.limit ?? PAGE_SIZE,
        before: q.before,
      })
      return { notifications: list, ...notifications.counts(user.id) }
    },
  )

  app.get('/api/notifications/unread-count', guarded, async (request) => notifications.counts(currentUser(request).id))

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/notifications/:id/read',
    { ...guarded, schema: { params: IdParams } },
    async (request) => {
      const counts = notifications.markRead(currentUser(request).id, request.params.id)
      if (!counts) throw notFound(`You have no notification ${request.params.id}`)
      return counts
    },
  )

  app.post('/api/notifications/read-all', guarded, async (request) => notifications.markAllRead(currentUser(request).id))

  // ------------------------------------------------------------ pages

  function listPage(request: FastifyRequest, reply: FastifyReply, query: Static<typeof ListQuery>) {
    const user = currentUser(request)
    const unread = query.unread === '1' || query.unread === 'true'
    const items = notifications.list(user.id, { unread, limit: PAGE_SIZE + 1, before: query.before })
    const more = items.length > PAGE_SIZE
    const page = items.slice(0, PAGE_SIZE)
    const older = more ? `/notifications?${unread ? 'unread=1&' : ''}before=${page[page.length - 1]!.id}` : null
    return renderPage(request, reply, 'notifications/index', { items: page, unread, older, firstPage: !query.before })
  }

  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/notifications',
    { ...guarded, schema: { querystring: ListQuery } },
    async (request, reply) => listPage(request, reply, request.query),
  )

  app.post<{ Params: Static<typeof IdParams> }>(
    '/notifications/:id/read',
    { ...guarded, schema: { params: IdParams } },
    async (request, reply) => {
      const user = currentUser(request)
      const counts = notifications.markRead(user.id, request.params.id)
      if (!counts) throw notFound(`You have no notification ${request.params.id}`)
      if (!isHtmx(request)) return reply.redirect('/notifications', 303)
      const n = notifications.get(user.id, request.params.id)!
      reply.type('text/html')
      return (
        app.realtime.content.partial('partials/notification-row', { n }) +
        app.realtime.content.partial('partials/badges', { counts, oob: true })
      )
    },
  )

  app.post('/notifications/read-all', guarded, async (request, reply) => {
    notifications.markAllRead(currentUser(request).id)
    if (!isHtmx(request)) return reply.redirect('/notifications', 303)
    return listPage(request, reply, {})
  })
}
