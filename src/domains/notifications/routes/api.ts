/** The notifications JSON API of the signed-in user. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { currentUser, requireUser } from '../../../web/http.js'
import { CountsBody, ErrorBody, IdParams } from '../../../web/schemas.js'
import { parseInstant } from '../inbox-rules.js'
import { ListQuery, Notification, SnoozeBody, UnreadByCategory } from './wire.js'

export const PAGE_SIZE = 20

const apiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { notifications } = app
  app.addHook('preHandler', requireUser)

  app.get(
    '/api/notifications',
    {
      schema: {
        querystring: ListQuery,
        response: {
          200: Type.Object({ notifications: Type.Array(Notification), ...CountsBody.properties, unread_by_category: UnreadByCategory }),
          '4xx': ErrorBody,
        },
      },
    },
    async (request) => {
      const user = currentUser(request)
      const { unread, limit, before, after, status, category } = request.query
      const list = await notifications.list(user.id, { unread: unread === '1' || unread === 'true', limit: limit ?? PAGE_SIZE, before, after, status, category })
      return { notifications: list, ...await notifications.counts(user.id), unread_by_category: await notifications.unreadByCategory(user.id) }
    },
  )

  const change = { schema: { params: IdParams, response: { 200: CountsBody, '4xx': ErrorBody } } }
  app.post('/api/notifications/:id/archive', change, async (request) => notifications.archive(currentUser(request).id, request.params.id))
  app.post('/api/notifications/:id/unarchive', change, async (request) => notifications.unarchive(currentUser(request).id, request.params.id))
  app.post('/api/notifications/:id/unsnooze', change, async (request) => notifications.unsnooze(currentUser(request).id, request.params.id))
  app.post('/api/notifications/:id/snooze', { schema: { ...change.schema, body: SnoozeBody } }, async (request) =>
    notifications.snooze(currentUser(request).id, request.params.id, parseInstant(request.body.until)),
  )

  app.post('/api/notifications/archive-read', { schema: { response: { 200: CountsBody, '4xx': ErrorBody } } }, async (request) =>
    notifications.archiveAllRead(currentUser(request).id),
  )

  app.get('/api/notifications/unread-count', { schema: { response: { 200: CountsBody, '4xx': ErrorBody } } }, async (request) =>
    notifications.counts(currentUser(request).id),
  )

  app.post('/api/notifications/:id/read', { schema: { params: IdParams, response: { 200: CountsBody, '4xx': ErrorBody } } }, async (request) =>
    notifications.markRead(currentUser(request).id, request.params.id),
  )

  app.post('/api/notifications/read-all', { schema: { response: { 200: CountsBody, '4xx': ErrorBody } } }, async (request) =>
    notifications.markAllRead(currentUser(request).id),
  )
}

export default apiRoutes
