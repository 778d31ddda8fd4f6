/** The messages JSON API: /api/conversations..., POST /api/messages. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { invalid } from '../../../errors.js'
import { currentUser } from '../../../web/http.js'
import { CountsBody, ErrorBody, IdParams } from '../../../web/schemas.js'
import { Message, PageQuery, PublicUser, SendMessageBody } from './schemas.js'

const ConversationsBody = Type.Object({
  conversations: Type.Array(
    Type.Object({
      id: Type.Integer(),
      other: Type.Object({ ...PublicUser.properties, online: Type.Boolean() }),
      last_message: Type.Union([Message, Type.Null()]),
      unread_count: Type.Integer(),
    }),
  ),
  unread_messages_count: Type.Integer(),
})
const MessagesBody = Type.Object({ messages: Type.Array(Message), has_more: Type.Boolean() })
const SentBody = Type.Object({ message: Message })

export const messagesApi: FastifyPluginAsyncTypebox = async (app) => {
  const social = app.social

  app.get('/api/conversations', { schema: { response: { 200: ConversationsBody, '4xx': ErrorBody } } }, async (request) => {
    const userId = currentUser(request).id
    return {
      conversations: (await social.listConversations(userId)).map((c) => ({ ...c, other: { ...c.other, online: social.presence.isOnline(c.other.id) } })),
      unread_messages_count: await social.unreadMessagesCount(userId),
    }
  })

  app.get(
    '/api/conversations/:id/messages',
    { schema: { params: IdParams, querystring: PageQuery, response: { 200: MessagesBody, '4xx': ErrorBody } } },
    async (request) => {
      const page = await social.listMessages(currentUser(request).id, request.params.id, request.query)
      return { messages: page.messages, has_more: page.hasMore }
    },
  )

  app.post(
    '/api/conversations/:id/read',
    { schema: { params: IdParams, response: { 200: CountsBody, '4xx': ErrorBody } } },
    async (request) => {
      const userId = currentUser(request).id
      await social.markConversationRead(userId, request.params.id)
      return app.notifications.counts(userId)
    },
  )

  app.post(
    '/api/messages',
    { schema: { body: SendMessageBody, response: { 201: SentBody, 200: SentBody, '4xx': ErrorBody } } },
    async (request, reply) => {
      const { recipient_id, conversation_id, content, client_id } = request.body
      if ((recipient_id === undefined) === (conversation_id === undefined)) throw invalid('Give exactly one of recipient_id or conversation_id')
      const to = conversation_id !== undefined ? { conversationId: conversation_id } : { recipientId: recipient_id! }
      const { message, created } = await social.sendMessage(currentUser(request).id, to, content, client_id)
      return reply.status(created ? 201 : 200).send({ message })
    },
  )
}
