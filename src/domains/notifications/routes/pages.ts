/** The signed-in user's notifications page, its htmx actions and the form fallbacks. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type, { type Static } from 'typebox'
import { currentUser, isHtmx, renderPage, requireUser } from '../../../web/http.js'
import { IdParams } from '../../../web/schemas.js'
import { isSameSitePath } from '../compose.js'
import { PAGE_SIZE } from './api.js'
import { ListQuery } from './wire.js'

const pageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { notifications } = app
  app.addHook('preHandler', requireUser)

  function listPage(request: FastifyRequest, reply: FastifyReply, query: Static<typeof ListQuery>) {
    const user = currentUser(request)
    const unread = query.unread === '1' || query.unread === 'true'
    const items = notifications.list(user.id, { unread, limit: PAGE_SIZE + 1, before: query.before })
    const more = items.length > PAGE_SIZE
    const page = items.slice(0, PAGE_SIZE)
    const older = more ? `/notifications?${unread ? 'unread=1&' : ''}before=${page[page.length - 1]!.id}` : null
    return renderPage(request, reply, 'notifications/index', { items: page, unread, older, firstPage: !query.before })
  }

  app.get('/notifications', { schema: { querystring: ListQuery } }, async (request, reply) => listPage(request, reply, request.query))

  app.post('/notifications/:id/read', { schema: { params: IdParams } }, async (request, reply) => {
    const user = currentUser(request)
    const counts = notifications.markRead(user.id, request.params.id)
    if (!isHtmx(request)) return reply.redirect('/notifications', 303)
    const n = notifications.get(user.id, request.params.id)
    reply.type('text/html')
    return (
      app.realtime.content.partial('partials/notification-row', { n }) +
      app.realtime.content.partial('partials/badges', { counts, oob: true })
    )
  })

  // Following a notification (toast, row, desktop notification) marks it read; only same-site paths are followed.
  // `?action=<id>`: one of its GET actions instead of its link (Reply: the post's comment box).
  const OpenQuery = Type.Object({ action: Type.Optional(Type.String({ maxLength: 32 })) })
  app.get('/notifications/:id/open', { schema: { params: IdParams, querystring: OpenQuery } }, async (request, reply) => {
    const user = currentUser(request)
    notifications.markRead(user.id, request.params.id)
    const n = notifications.get(user.id, request.params.id)
    const { action } = request.query
    const link = action === undefined ? n.link_url : n.actions.find((a) => a.id === action && a.method === 'GET')?.url
    return reply.redirect(link && isSameSitePath(link) ? link : '/notifications', 303)
  })

  app.post('/notifications/read-all', async (request, reply) => {
    notifications.markAllRead(currentUser(request).id)
    if (!isHtmx(request)) return reply.redirect('/notifications', 303)
    return listPage(request, reply, {})
  })
}

export default pageRoutes
