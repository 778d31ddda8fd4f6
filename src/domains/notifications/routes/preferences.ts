/** The signed-in user's notification preferences (GET/PUT /api/preferences). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { currentUser, requireUser } from '../../../web/http.js'
import { ErrorBody } from '../../../web/schemas.js'

const Channels = Type.Object({ inbox: Type.Boolean(), toast: Type.Boolean(), desktop: Type.Boolean() })
const QuietHours = Type.Union([
  Type.Object({ start: Type.String({ maxLength: 5 }), end: Type.String({ maxLength: 5 }), time_zone: Type.String({ maxLength: 64 }) }),
  Type.Null(),
])
const Preferences = Type.Object({
  kinds: Type.Record(Type.String(), Channels),
  quiet_hours: QuietHours,
  self_caused: Type.Boolean(),
})
const PreferencesChange = Type.Object({
  kinds: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Channels, { maxProperties: 32 })),
  quiet_hours: Type.Optional(QuietHours),
  self_caused: Type.Optional(Type.Boolean()),
})

const preferenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { preferences } = app.notifications
  app.addHook('preHandler', requireUser)

  app.get('/api/preferences', { schema: { response: { 200: Preferences, '4xx': ErrorBody } } }, async (request) => preferences.get(currentUser(request).id))

  app.put('/api/preferences', { schema: { body: PreferencesChange, response: { 200: Preferences, '4xx': ErrorBody } } }, async (request) =>
    preferences.put(currentUser(request).id, request.body),
  )
}

export default preferenceRoutes
