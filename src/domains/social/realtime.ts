/**
 * Social on the socket: the `send_message` and `typing` client frames, and the
 * HTML fragments (`content`) riding on social frames, rendered from the same
 * partials as the pages. Fragments are rendered per recipient (their unread
 * counts, whether a message is theirs), only for users with a socket here.
 */
import type { FastifyInstance } from 'fastify'
import type { TopicFrame } from '../../protocol.js'
import type { PresenceTracker } from './presence.js'
import { SOCIAL_TOPIC, SocialError, type SocialService } from './service.js'
import type { TypingRelay } from './typing.js'

export function panelData(service: SocialService, userId: number) {
  return {
    incoming: service.incomingRequests(userId),
    outgoing: service.outgoingRequests(userId),
    friends: service.listFriends(userId),
  }
}

export function registerSocialRealtime(app: FastifyInstance, service: SocialService, presence: PresenceTracker, typing: TypingRelay) {
  const { frames, content } = app.realtime

  frames.on('send_message', (frame, ctx) => {
    const userId = ctx.client.userId
    try {
      const { message, created } = service.sendMessage(userId, { conversationId: frame.conversation_id }, frame.content, frame.client_id)
      if (created) typing.messageSent(userId, message.conversation_id)
      // A repeat is not pushed again; the socket that repeated it gets it back.
      else ctx.reply({ type: 'new_message', data: message })
    } catch (err) {
      if (!(err instanceof SocialError)) throw err
      ctx.error(err.code === 'invalid' ? 'invalid' : 'forbidden', err.message)
    }
  })

  frames.on('typing', (frame, ctx) => {
    const userId = ctx.client.userId
    let members: number[]
    try {
      members = service.participantsFor(userId, frame.conversation_id)
    } catch (err) {
      if (!(err instanceof SocialError)) throw err
      return ctx.error('forbidden', err.message)
    }
    const user = service.findUser(userId)
    if (!user) return
    typing.handle(ctx.client, user, frame.conversation_id, frame.is_typing, members.filter((id) => id !== userId))
  })

  // ------------------------------------------------------------ fragments
  const partial = (name: string, data: object) => content.partial(name, data)
  const badge = (userId: number) => partial('social/requests-badge', { count: service.pendingRequestCount(userId), oob: true })
  const panel = (userId: number) => partial('social/friends-panel', { ...panelData(service, userId), oob: true })
  const row = (userId: number, conversationId: number, oob: 'top' | 'replace') => {
    const c = service.conversationSummary(userId, conversationId)
    return c ? partial('social/conversation-row', { c, viewerId: userId, online: presence.isOnline(c.other.id), oob }) : ''
  }

  content.on('new_message', (frame, userId) => {
    const m = frame.data
    const cid = m.conversation_id
    return [
      `<div hx-swap-oob="beforeend:#conversation-${cid}-messages">${partial('social/message', { m, viewerId: userId })}</div>`,
      partial('social/seen', { conversationId: cid, seen: false, oob: true }),
      m.sender.id === userId ? '' : partial('social/typing', { conversationId: cid, user: null, oob: true }),
      row(userId, cid, 'top'),
    ].join('')
  })

  content.on('typing', (frame) =>
    partial('social/typing', { conversationId: frame.conversation_id, user: frame.is_typing ? frame.user : null, oob: true }),
  )

  content.on('presence', (frame) => partial('social/presence-dot', { userId: frame.user_id, online: frame.online, oob: true }))

  content.on('friend_request', (_frame, userId) => badge(userId) + panel(userId))
  content.on('friend_accepted', (_frame, userId) => badge(userId) + panel(userId))
  content.onTopicEvent('friends_changed', (frame, userId) => (frame.topic === SOCIAL_TOPIC ? badge(userId) + panel(userId) : undefined))
  content.onTopicEvent('messages_read', (frame: TopicFrame, userId) => {
    if (frame.topic !== SOCIAL_TOPIC) return undefined
    const data = frame.data as { conversation_id: number; user_id: number }
    if (data.user_id === userId) return row(userId, data.conversation_id, 'replace')
    return partial('social/seen', { conversationId: data.conversation_id, seen: service.seenByOthers(userId, data.conversation_id), oob: true })
  })
}
