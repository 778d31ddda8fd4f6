/**
 * Click-through: following a notification marks it read. A GET changes nothing unless the
 * browser says the navigation came from this site (`Sec-Fetch-Site: same-origin`, a header
 * pages cannot set) or the caller sent a bearer token, so a cross-site page or an old browser gets a confirmation page whose
 * button POSTs (with the CSRF token). Toasts, rows and desktop notifications mark read with
 * a POST from public/inbox.js and then navigate; this is the path without script.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import type { NotificationDTO } from '../../../protocol.js'
import { currentUser, renderPage, requireUser } from '../../../web/http.js'
import { IdParams } from '../../../web/schemas.js'
import { isSameSitePath } from '../compose.js'

const openRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { notifications } = app
  app.addHook('preHandler', requireUser)

  // `?action=<id>`: one of its GET actions instead of its link (Reply: the post's comment box).
  const OpenQuery = Type.Object({ action: Type.Optional(Type.String({ maxLength: 32 })) })
  const destination = (n: NotificationDTO, action: string | undefined) => {
    const link = action === undefined ? n.link_url : n.actions.find((a) => a.id === action && a.method === 'GET')?.url
    return link && isSameSitePath(link) ? link : '/notifications'
  }

  app.get('/notifications/:id/open', { schema: { params: IdParams, querystring: OpenQuery } }, async (request, reply) => {
    const user = currentUser(request)
    const n = await notifications.get(user.id, request.params.id)
    const { action } = request.query
    // A bearer token is never sent by a cross-site page; a cookie is, unless the browser says the navigation is this site's.
    const fromHere = request.authVia === 'bearer' || request.headers['sec-fetch-site'] === 'same-origin'
    if (!fromHere) return renderPage(request, reply, 'notifications/open', { n, action, title: n.title })
    await notifications.markRead(user.id, n.id)
    return reply.redirect(destination(n, action), 303)
  })

  app.post('/notifications/:id/open', { schema: { params: IdParams, querystring: OpenQuery } }, async (request, reply) => {
    const user = currentUser(request)
    await notifications.markRead(user.id, request.params.id)
    const n = await notifications.get(user.id, request.params.id)
    return reply.redirect(destination(n, request.query.action), 303)
  })
}

export default openRoutes
