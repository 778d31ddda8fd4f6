/** The /messages pages: the list, a conversation, its earlier and newer messages, and its form. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { randomUUID } from 'node:crypto'
import { currentUser, isHtmx, renderPage } from '../../../web/http.js'
import { IdParams } from '../../../web/schemas.js'
import { MessageFormBody, PageQuery, StartBody } from './schemas.js'

export const messagesPages: FastifyPluginAsyncTypebox = async (app) => {
  const social = app.social
  const partial = (name: string, data: object) => app.realtime.content.partial(name, data)

  app.get('/messages', async (request, reply) => {
    const conversations = await social.listConversations(currentUser(request).id)
    const online: Record<number, boolean> = {}
    for (const c of conversations) online[c.other.id] = social.presence.isOnline(c.other.id)
    return renderPage(request, reply, 'social/conversations', { conversations, online })
  })

  app.post('/messages/start', { schema: { body: StartBody } }, async (request, reply) => {
    const id = await social.startConversation(currentUser(request).id, request.body.user_id)
    if (!isHtmx(request)) return reply.redirect(`/messages/${id}`, 303)
    reply.header('HX-Redirect', `/messages/${id}`)
    return reply.status(204).send()
  })

  app.get('/messages/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const userId = currentUser(request).id
    const conversation = await social.conversation(userId, request.params.id)
    // Opening the conversation reads it: badge down on every tab, "Seen" for the sender.
    await social.markConversationRead(userId, conversation.id)
    const page = await social.listMessages(userId, conversation.id)
    return renderPage(request, reply, 'social/conversation', {
      conversation,
      messages: page.messages,
      hasMore: page.hasMore,
      seen: await social.seenByOthers(userId, conversation.id),
      otherOnline: social.presence.isOnline(conversation.other.id),
      clientId: randomUUID(),
    })
  })

  app.get('/messages/:id/earlier', { schema: { params: IdParams, querystring: PageQuery } }, async (request, reply) => {
    const userId = currentUser(request).id
    const page = await social.listMessages(userId, request.params.id, { before: request.query.before, limit: request.query.limit })
    reply.type('text/html')
    return partial('social/earlier', {
      conversationId: request.params.id,
      messages: page.messages,
      hasMore: page.hasMore && page.messages.length > 0,
      viewerId: userId,
    })
  })

  /** Messages after the last one a page shows: it catches up after its socket reconnected. */
  app.get('/messages/:id/newer', { schema: { params: IdParams, querystring: PageQuery } }, async (request, reply) => {
    const userId = currentUser(request).id
    const page = await social.listMessages(userId, request.params.id, { after: request.query.after ?? 0, limit: 100 })
    reply.type('text/html')
    return page.messages.map((m) => partial('social/message', { m, viewerId: userId })).join('')
  })

  /** The page's fallback when the socket is down (and the no-script form). */
  app.post('/messages/:id', { schema: { params: IdParams, body: MessageFormBody } }, async (request, reply) => {
    const userId = currentUser(request).id
    const clientId = request.body.client_id || randomUUID()
    const { message, created } = await social.sendMessage(userId, { conversationId: request.params.id }, request.body.content, clientId)
    if (!isHtmx(request)) return reply.redirect(`/messages/${request.params.id}`, 303)
    reply.status(created ? 201 : 200).type('text/html')
    return partial('social/message', { m: message, viewerId: userId })
  })

  app.post('/messages/:id/read', { schema: { params: IdParams } }, async (request, reply) => {
    await social.markConversationRead(currentUser(request).id, request.params.id)
    return reply.status(204).send()
  })
}
