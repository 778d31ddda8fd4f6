/** Social's HTTP routes: every one needs a logged-in user. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireUser } from '../../../web/http.js'
import { friendsApi } from './friends.js'
import { friendsPages } from './friends-pages.js'
import { messagesApi } from './messages.js'
import { messagesPages } from './messages-pages.js'

export const socialRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', requireUser)
  await app.register(friendsApi)
  await app.register(friendsPages)
  await app.register(messagesApi)
  await app.register(messagesPages)
}
