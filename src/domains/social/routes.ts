/**
 * Social: friends (/friends, /api/friends/...) and direct messages (/messages,
 * /api/conversations/..., POST /api/messages), plus the wiring of presence and
 * typing. Routes validate, call the service and render; pushes come from the
 * service's outbox.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { randomUUID } from 'node:crypto'
import Type, { type Static } from 'typebox'
import { DomainError, invalid } from '../../errors.js'
import { currentUser, isHtmx, renderPage, requireUser } from '../../web/http.js'
import { PresenceTracker } from './presence.js'
import { panelData, registerSocialRealtime } from './realtime.js'
import { createSocialService, SocialError, type SocialService } from './service.js'
import { TypingRelay } from './typing.js'

declare module 'fastify' {
  interface FastifyInstance {
    social: { service: SocialService; presence: PresenceTracker; typing: TypingRelay }
  }
}

const UserParams = Type.Object({ user_id: Type.Integer({ minimum: 1 }) })
const RequestParams = Type.Object({ request_id: Type.Integer({ minimum: 1 }) })
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const ViewQuery = Type.Object({ view: Type.Optional(Type.String({ maxLength: 20 })), user_id: Type.Optional(Type.Integer({ minimum: 1 })) })
const SearchQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 64 })) })
const PageQuery = Type.Object({
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  after: Type.Optional(Type.Integer({ minimum: 0 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
})
const ClientId = Type.String({ minLength: 1, maxLength: 64 })
const Content = Type.String({ maxLength: 8000 })
const MessageBody = Type.Object({
  recipient_id: Type.Optional(Type.Integer({ minimum: 1 })),
  conversation_id: Type.Optional(Type.Integer({ minimum: 1 })),
  content: Content,
  client_id: ClientId,
})
const FormMessageBody = Type.Object({ content: Content, client_id: Type.Optional(ClientId) })
const StartBody = Type.Object({ user_id: Type.Integer({ minimum: 1 }) })

function asHttp(err: unknown): never {
  if (err instanceof SocialError) throw new DomainError(err.code, err.message)
  throw err
}

/** Runs a service call, turning its SocialError into the HTTP error format. */
function call<T>(fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    asHttp(err)
  }
}

export const socialPlugin = fp(
  async (app: FastifyInstance) => {
    const { db, bus, hub, notifications, accounts } = app
    let presence!: PresenceTracker
    const service = createSocialService({ db, bus, notifications, isOnline: (id) => presence.isOnline(id) })
    presence = new PresenceTracker({
      db,
      bus,
      hub,
      friendIds: (id) => service.friendIds(id),
      graceMs: app.config.presenceGraceMs,
      heartbeatMs: app.config.presenceHeartbeatMs,
      log: app.log,
    })
    const typing = new TypingRelay({
      publish: (userIds, frame) => bus.publish({ type: 'frame', userIds, frame }),
      timeoutMs: app.config.typingTimeoutMs,
    })
    app.decorate('social', { service, presence, typing })
    notifications.setUnreadMessagesCounter((userId) => service.unreadMessagesCount(userId))
    registerSocialRealtime(app, service, presence, typing)
    presence.start()

    // The navbar's pending-requests badge: computed only when a page renders it.
    app.addHook('onRequest', async (request, reply) => {
      const user = request.principal?.user
      // @fastify/view merges reply.locals into every template's data.
      const locals = (reply as FastifyReply & { locals?: Record<string, unknown> }).locals
      if (user && locals) locals.pendingFriendRequests = () => service.pendingRequestCount(user.id)
    })
    app.addHook('preClose', async () => {
      typing.clear()
      presence.stop()
    })

    const guarded = { preHandler: requireUser }

    // ------------------------------------------------------------ friends: JSON API

    app.get('/api/friends', guarded, async (request) => {
      const user = currentUser(request)
      return {
        friends: service.listFriends(user.id),
        incoming: service.incomingRequests(user.id).map((r) => ({ request_id: r.request_id, from_user: r.user, created_at: r.created_at })),
        outgoing: service.outgoingRequests(user.id).map((r) => ({ request_id: r.request_id, to_user: r.user, created_at: r.created_at })),
      }
    })

    app.get<{ Querystring: Static<typeof SearchQuery> }>('/api/friends/search', { ...guarded, schema: { querystring: SearchQuery } }, async (request) => {
      const user = currentUser(request)
      return { users: search(user.id, request.query.q).map((p) => ({ ...p.person, relationship: p.rel.kind })) }
    })

    app.post<{ Params: Static<typeof UserParams> }>(
      '/api/friends/request/:user_id',
      { ...guarded, schema: { params: UserParams } },
      async (request, reply) => {
        const result = call(() => service.sendFriendRequest(currentUser(request).id, request.params.user_id))
        if (result.accepted) return reply.status(200).send({ request_id: result.requestId, accepted: true, friend: result.friend })
        return reply.status(201).send({ request_id: result.requestId })
      },
    )

    app.post<{ Params: Static<typeof RequestParams> }>(
      '/api/friends/accept/:request_id',
      { ...guarded, schema: { params: RequestParams } },
      async (request) => ({ friend: call(() => service.acceptFriendRequest(currentUser(request).id, request.params.request_id)) }),
    )

    app.post<{ Params: Static<typeof RequestParams> }>(
      '/api/friends/decline/:request_id',
      { ...guarded, schema: { params: RequestParams } },
      async (request) => {
        call(() => service.declineFriendRequest(currentUser(request).id, request.params.request_id))
        return { ok: true }
      },
    )

    app.post<{ Params: Static<typeof RequestParams> }>(
      '/api/friends/cancel/:request_id',
      { ...guarded, schema: { params: RequestParams } },
      async (request) => {
        call(() => service.cancelFriendRequest(currentUser(request).id, request.params.request_id))
        return { ok: true }
      },
    )

    app.delete<{ Params: Static<typeof UserParams> }>('/api/friends/:user_id', { ...guarded, schema: { params: UserParams } }, async (request) => {
      call(() => service.unfriend(currentUser(request).id, request.params.user_id))
      return { ok: true }
    })

    // ------------------------------------------------------------ messages: JSON API

    app.get('/api/conversations', guarded, async (request) => {
      const user = currentUser(request)
      return {
        conversations: service.listConversations(user.id).map((c) => ({ ...c, other: { ...c.other, online: presence.isOnline(c.other.id) } })),
        unread_messages_count: service.unreadMessagesCount(user.id),
      }
    })

    app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PageQuery> }>(
      '/api/conversations/:id/messages',
      { ...guarded, schema: { params: IdParams, querystring: PageQuery } },
      async (request) => {
        const page = call(() => service.messages(currentUser(request).id, request.params.id, request.query))
        return { messages: page.messages, has_more: page.hasMore }
      },
    )

    app.post<{ Params: Static<typeof IdParams> }>(
      '/api/conversations/:id/read',
      { ...guarded, schema: { params: IdParams } },
      async (request) => {
        const user = currentUser(request)
        call(() => service.markConversationRead(user.id, request.params.id))
        return notifications.counts(user.id)
      },
    )

    app.post<{ Body: Static<typeof MessageBody> }>('/api/messages', { ...guarded, schema: { body: MessageBody } }, async (request, reply) => {
      const user = currentUser(request)
      const body = request.body
      if ((body.recipient_id === undefined) === (body.conversation_id === undefined)) {
        throw invalid('Give exactly one of recipient_id or conversation_id')
      }
      const to = body.conversation_id !== undefined ? { conversationId: body.conversation_id } : { recipientId: body.recipient_id! }
      const { message, created } = call(() => service.sendMessage(user.id, to, body.content, body.client_id))
      if (created) typing.messageSent(user.id, message.conversation_id)
      return reply.status(created ? 201 : 200).send({ message })
    })

    // ------------------------------------------------------------ friends: pages

    function search(userId: number, q: string | undefined) {
      const query = (q ?? '').trim()
      if (!query) return []
      return accounts.search(query, 20).map((u) => ({
        person: { id: u.id, username: u.username, first_name: u.firstName, last_name: u.lastName },
        rel: service.relationship(userId, u.id),
      }))
    }

    function friendsPage(request: FastifyRequest, reply: FastifyReply, q?: string, notice?: string) {
      const user = currentUser(request)
      return renderPage(request, reply, 'social/friends', { q: q ?? '', people: search(user.id, q), ...panelData(service, user.id), notice })
    }

    /** The htmx answer to a friends action: the panel (or a search row) and the badge. */
    function friendsAnswer(request: FastifyRequest<{ Querystring: Static<typeof ViewQuery> }>, reply: FastifyReply, otherId: number | null, action: () => void) {
      const user = currentUser(request)
      let notice: string | undefined
      try {
        action()
      } catch (err) {
        if (!(err instanceof SocialError)) throw err
        if (!isHtmx(request)) return friendsPage(request, reply.status(err.status), undefined, err.message)
        notice = err.message
      }
      if (!isHtmx(request)) return reply.redirect('/friends', 303)
      const csrfToken = reply.generateCsrf()
      const views = app.realtime.content
      const badge = views.partial('social/requests-badge', { count: service.pendingRequestCount(user.id), oob: true })
      reply.type('text/html')
      if (request.query.view === 'person' && otherId) {
        const person = service.findUser(otherId)
        if (person) {
          const rel = service.relationship(user.id, otherId)
          return (
            views.partial('social/person', { person, rel, csrfToken, notice }) +
            views.partial('social/friends-panel', { ...panelData(service, user.id), oob: true, csrfToken }) +
            badge
          )
        }
      }
      return views.partial('social/friends-panel', { ...panelData(service, user.id), csrfToken, notice }) + badge
    }

    app.get<{ Querystring: Static<typeof SearchQuery> }>('/friends', { ...guarded, schema: { querystring: SearchQuery } }, async (request, reply) =>
      friendsPage(request, reply, request.query.q),
    )

    app.get<{ Querystring: Static<typeof SearchQuery> }>('/friends/search', { ...guarded, schema: { querystring: SearchQuery } }, async (request, reply) => {
      if (!isHtmx(request)) return reply.redirect(`/friends?q=${encodeURIComponent(request.query.q ?? '')}`)
      const user = currentUser(request)
      reply.type('text/html')
      return app.realtime.content.partial('social/search-results', { q: request.query.q ?? '', people: search(user.id, request.query.q), csrfToken: reply.generateCsrf() })
    })

    app.post<{ Params: Static<typeof UserParams>; Querystring: Static<typeof ViewQuery> }>(
      '/friends/request/:user_id',
      { ...guarded, schema: { params: UserParams, querystring: ViewQuery } },
      async (request, reply) =>
        friendsAnswer(request, reply, request.params.user_id, () => service.sendFriendRequest(currentUser(request).id, request.params.user_id)),
    )

    app.post<{ Params: Static<typeof RequestParams>; Querystring: Static<typeof ViewQuery> }>(
      '/friends/accept/:request_id',
      { ...guarded, schema: { params: RequestParams, querystring: ViewQuery } },
      async (request, reply) =>
        friendsAnswer(request, reply, request.query.user_id ?? null, () => service.acceptFriendRequest(currentUser(request).id, request.params.request_id)),
    )

    app.post<{ Params: Static<typeof RequestParams>; Querystring: Static<typeof ViewQuery> }>(
      '/friends/decline/:request_id',
      { ...guarded, schema: { params: RequestParams, querystring: ViewQuery } },
      async (request, reply) => friendsAnswer(request, reply, null, () => service.declineFriendRequest(currentUser(request).id, request.params.request_id)),
    )

    app.post<{ Params: Static<typeof RequestParams>; Querystring: Static<typeof ViewQuery> }>(
      '/friends/cancel/:request_id',
      { ...guarded, schema: { params: RequestParams, querystring: ViewQuery } },
      async (request, reply) => friendsAnswer(request, reply, null, () => service.cancelFriendRequest(currentUser(request).id, request.params.request_id)),
    )

    app.post<{ Params: Static<typeof UserParams>; Querystring: Static<typeof ViewQuery> }>(
      '/friends/remove/:user_id',
      { ...guarded, schema: { params: UserParams, querystring: ViewQuery } },
      async (request, reply) => friendsAnswer(request, reply, null, () => service.unfriend(currentUser(request).id, request.params.user_id)),
    )

    // ------------------------------------------------------------ messages: pages

    app.get('/messages', guarded, async (request, reply) => {
      const user = currentUser(request)
      const conversations = service.listConversations(user.id)
      const online: Record<number, boolean> = {}
      for (const c of conversations) online[c.other.id] = presence.isOnline(c.other.id)
      return renderPage(request, reply, 'social/conversations', { conversations, online })
    })

    app.post<{ Body: Static<typeof StartBody> }>('/messages/start', { ...guarded, schema: { body: StartBody } }, async (request, reply) => {
      const id = call(() => service.startConversation(currentUser(request).id, request.body.user_id))
      if (isHtmx(request)) {
        reply.header('HX-Redirect', `/messages/${id}`)
        return reply.status(204).send()
      }
      return reply.redirect(`/messages/${id}`, 303)
    })

    app.get<{ Params: Static<typeof IdParams> }>('/messages/:id', { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
      const user = currentUser(request)
      const conversation = call(() => service.conversation(user.id, request.params.id))
      // Opening the conversation reads it: badge down on every tab, "Seen" for the sender.
      service.markConversationRead(user.id, conversation.id)
      const page = service.messages(user.id, conversation.id)
      return renderPage(request, reply, 'social/conversation', {
        conversation,
        messages: page.messages,
        hasMore: page.hasMore,
        seen: service.seenByOthers(user.id, conversation.id),
        otherOnline: presence.isOnline(conversation.other.id),
        clientId: randomUUID(),
        // The counts in the navbar after marking read.
        counts: notifications.counts(user.id),
      })
    })

    app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PageQuery> }>(
      '/messages/:id/earlier',
      { ...guarded, schema: { params: IdParams, querystring: PageQuery } },
      async (request, reply) => {
        const user = currentUser(request)
        const page = call(() => service.messages(user.id, request.params.id, { before: request.query.before, limit: request.query.limit }))
        reply.type('text/html')
        return app.realtime.content.partial('social/earlier', {
          conversationId: request.params.id,
          messages: page.messages,
          hasMore: page.hasMore && page.messages.length > 0,
          viewerId: user.id,
        })
      },
    )

    /** Messages after the last one a page shows: it catches up after its socket reconnected. */
    app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof PageQuery> }>(
      '/messages/:id/newer',
      { ...guarded, schema: { params: IdParams, querystring: PageQuery } },
      async (request, reply) => {
        const user = currentUser(request)
        const page = call(() => service.messages(user.id, request.params.id, { after: request.query.after ?? 0, limit: 100 }))
        reply.type('text/html')
        return page.messages.map((m) => app.realtime.content.partial('social/message', { m, viewerId: user.id })).join('')
      },
    )

    /** The page's fallback when the socket is down (and the no-script form). */
    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof FormMessageBody> }>(
      '/messages/:id',
      { ...guarded, schema: { params: IdParams, body: FormMessageBody } },
      async (request, reply) => {
        const user = currentUser(request)
        const clientId = request.body.client_id || randomUUID()
        const { message, created } = call(() => service.sendMessage(user.id, { conversationId: request.params.id }, request.body.content, clientId))
        if (created) typing.messageSent(user.id, message.conversation_id)
        if (!isHtmx(request)) return reply.redirect(`/messages/${request.params.id}`, 303)
        reply.status(created ? 201 : 200).type('text/html')
        return app.realtime.content.partial('social/message', { m: message, viewerId: user.id })
      },
    )

    app.post<{ Params: Static<typeof IdParams> }>('/messages/:id/read', { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
      call(() => service.markConversationRead(currentUser(request).id, request.params.id))
      return reply.status(204).send()
    })
  },
  { name: 'social', dependencies: ['http'] },
)
