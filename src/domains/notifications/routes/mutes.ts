/** The signed-in user's muted threads (GET/POST /api/mutes, DELETE /api/mutes/:thread). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { currentUser, requireUser } from '../../../web/http.js'
import { ErrorBody } from '../../../web/schemas.js'
import { parseInstant } from '../inbox-rules.js'

const Mute = Type.Object({ thread: Type.String(), until: Type.Union([Type.String(), Type.Null()]) })
const MuteBody = Type.Object({ thread: Type.String({ minLength: 1, maxLength: 64 }), until: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])) })

const muteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { mutes } = app.notifications
  app.addHook('preHandler', requireUser)

  app.get('/api/mutes', { schema: { response: { 200: Type.Object({ mutes: Type.Array(Mute) }), '4xx': ErrorBody } } }, async (request) => ({
    mutes: await mutes.list(currentUser(request).id),
  }))

  app.post('/api/mutes', { schema: { body: MuteBody, response: { 201: Mute, '4xx': ErrorBody } } }, async (request, reply) => {
    const { thread, until } = request.body
    const mute = await mutes.mute(currentUser(request).id, thread, until == null ? null : parseInstant(until))
    return reply.status(201).send(mute)
  })

  app.delete(
    '/api/mutes/:thread',
    { schema: { params: Type.Object({ thread: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), '4xx': ErrorBody } } },
    async (request, reply) => {
      await mutes.unmute(currentUser(request).id, request.params.thread)
      return reply.status(204).send(null)
    },
  )
}

export default muteRoutes
