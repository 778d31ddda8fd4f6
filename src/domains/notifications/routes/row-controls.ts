/**
 * What a row or toast of the inbox does from its controls (views/partials/notification-controls.eta):
 * read, done (archive) and undo, snooze, mute its thread, and the row itself for pages that
 * update live. public/inbox.js sends them with `Accept: application/json` and gets the
 * counts (or the mute); a form without script gets a redirect back to its view.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type, { type Static } from 'typebox'
import { invalid } from '../../../errors.js'
import { currentUser, isHtmx, requireUser, wantsJson } from '../../../web/http.js'
import { CountsBody, ErrorBody, IdParams } from '../../../web/schemas.js'
import { viewOf, viewPath } from '../inbox-views.js'
import { inView } from '../listing.js'
import type { SnoozeChoice } from '../state.js'
import { MuteForm, SnoozeForm, ViewForm } from './wire.js'

const Mute = Type.Object({ thread: Type.String(), until: Type.Union([Type.String(), Type.Null()]) })

const rowControlRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { notifications } = app
  app.addHook('preHandler', requireUser)

  /** JSON for the page's script, else back to the view the form was sent from. */
  function answer<T>(request: FastifyRequest, reply: FastifyReply, json: T): T | FastifyReply {
    if (wantsJson(request)) return json
    return reply.redirect(viewPath(viewOf((request.body ?? {}) as Static<typeof ViewForm>)), 303)
  }

  const change = { schema: { params: IdParams, body: Type.Optional(ViewForm), response: { 200: CountsBody, '4xx': ErrorBody } } }

  app.post('/notifications/:id/read', { schema: { params: IdParams, body: Type.Optional(ViewForm) } }, async (request, reply) => {
    const user = currentUser(request)
    const counts = await notifications.markRead(user.id, request.params.id)
    if (!isHtmx(request)) return answer(request, reply, counts)
    const n = await notifications.get(user.id, request.params.id)
    reply.type('text/html')
    return (
      app.realtime.content.partial('partials/notification-row', { n }) +
      app.realtime.content.partial('partials/badges', { counts, oob: true })
    )
  })

  app.post('/notifications/:id/archive', change, async (request, reply) =>
    answer(request, reply, await notifications.archive(currentUser(request).id, request.params.id)),
  )
  app.post('/notifications/:id/unarchive', change, async (request, reply) =>
    answer(request, reply, await notifications.unarchive(currentUser(request).id, request.params.id)),
  )
  app.post('/notifications/:id/unsnooze', change, async (request, reply) =>
    answer(request, reply, await notifications.unsnooze(currentUser(request).id, request.params.id)),
  )

  app.post(
    '/notifications/:id/snooze',
    { schema: { params: IdParams, body: SnoozeForm, response: { 200: Type.Object({ ...CountsBody.properties, snoozed_until: Type.String() }), '4xx': ErrorBody } } },
    async (request, reply) => {
      const { preset, local, time_zone } = request.body
      if (preset === 'at' && !local) throw invalid({ until: 'Pick a date and a time' })
      const choice: SnoozeChoice = preset === 'at' ? { local: local! } : { preset }
      // Without script the browser's zone is unknown: UTC.
      const user = currentUser(request)
      const counts = await notifications.snoozeChoice(user.id, request.params.id, choice, time_zone || 'UTC')
      const { snoozed_until } = await notifications.get(user.id, request.params.id)
      return answer(request, reply, { ...counts, snoozed_until: snoozed_until ?? '' })
    },
  )

  // The mute of the notification's thread: whoever cannot see the notification cannot learn its thread.
  app.post(
    '/notifications/:id/mute',
    { schema: { params: IdParams, body: MuteForm, response: { 200: Mute, '4xx': ErrorBody } } },
    async (request, reply) => {
      const user = currentUser(request)
      const { thread } = await notifications.get(user.id, request.params.id)
      if (!thread) throw invalid('This notification is about nothing that can be muted')
      return answer(request, reply, await notifications.mutes.muteFor(user.id, thread, request.body.for as 'week'))
    },
  )

  // One row as a view of the inbox shows it, for pages that follow notification_state: 204 when it is not in that view.
  app.get(
    '/notifications/:id/row',
    { schema: { params: IdParams, querystring: ViewForm } },
    async (request, reply) => {
      const n = await notifications.get(currentUser(request).id, request.params.id)
      if (!inView(n, viewOf(request.query))) return reply.status(204).send()
      reply.type('text/html')
      return app.realtime.content.partial('partials/notification-row', { n })
    },
  )
}

export default rowControlRoutes
