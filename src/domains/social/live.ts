/**
 * Social on the socket: the `send_message` and `typing` client frames, presence
 * fed by the hub, and the HTML fragments (`content`) riding on social frames,
 * rendered from the same partials as the pages. Fragments are rendered per
 * recipient (their unread counts, whether a message is theirs), only for users
 * with a socket here.
 */
import type { FastifyInstance } from 'fastify'
import type { NewMessageFrame } from '../../protocol.js'
import { OncePerSocket } from './once-per-socket.js'
import { SOCIAL_TOPIC, type SocialEvent, type SocialService } from './service/index.js'

type EventData<E extends SocialEvent['event']> = Extract<SocialEvent, { event: E }>['data']

export function socialLive(app: FastifyInstance, social: SocialService): { stop(): void } {
  const { frames, content } = app.realtime
  const once = new OncePerSocket<object>()
  /** Set while this process answers one socket with a stored message: that render is no push. */
  let echoing = false

  frames.on('send_message', async (frame, ctx) => {
    const { message, created } = await social.sendMessage(ctx.client.userId, { conversationId: frame.conversation_id }, frame.content, frame.client_id)
    if (created) return
    once.repeated(ctx.client, message, () => {
      echoing = true
      try {
        ctx.reply({ type: 'new_message', data: message })
      } finally {
        echoing = false
      }
    })
  })

  frames.on('typing', async (frame, ctx) => {
    await social.relayTyping(ctx.client.userId, ctx.client, frame.conversation_id, frame.is_typing)
  })

  const connected = (userId: number) => social.presence.userConnected(userId)
  const disconnected = (userId: number) => social.presence.userDisconnected(userId)
  app.hub.on('user_online', connected)
  app.hub.on('user_offline', disconnected)
  app.hub.onEvent('presence_changed', (event) => social.presence.changed(event.user, event.online))

  // ------------------------------------------------------------ fragments
  const partial = (name: string, data: object) => content.partial(name, data)
  const badge = async (userId: number) => partial('social/requests-badge', { count: await social.pendingRequestCount(userId), oob: true })
  const panel = async (userId: number) => partial('social/friends-panel', { ...await social.friendsOverview(userId), oob: true })
  const friendsFragments = async (userId: number) => await badge(userId) + await panel(userId)
  const row = async (userId: number, conversationId: number, oob: 'top' | 'replace') => {
    const c = await social.conversationSummary(userId, conversationId)
    return c ? partial('social/conversation-row', { c, viewerId: userId, online: social.presence.isOnline(c.other.id), oob }) : ''
  }

  content.on('new_message', async (frame: NewMessageFrame, userId) => {
    // The hub renders a pushed frame once per user, then writes it to each of the user's sockets here.
    if (!echoing) once.pushed(frame.data.id, app.hub.users.get(userId) ?? [])
    const m = frame.data
    const cid = m.conversation_id
    return [
      `<div hx-swap-oob="beforeend:#conversation-${cid}-messages">${partial('social/message', { m, viewerId: userId })}</div>`,
      partial('social/seen', { conversationId: cid, seen: false, oob: true }),
      m.sender.id === userId ? '' : partial('social/typing', { conversationId: cid, user: null, oob: true }),
      await row(userId, cid, 'top'),
    ].join('')
  })

  content.on('typing', (frame) =>
    partial('social/typing', { conversationId: frame.conversation_id, user: frame.is_typing ? frame.user : null, oob: true }),
  )
  content.on('presence', (frame) => partial('social/presence-dot', { userId: frame.user_id, online: frame.online, oob: true }))
  content.on('friend_request', async (_frame, userId) => friendsFragments(userId))
  content.on('friend_accepted', async (_frame, userId) => friendsFragments(userId))
  content.onTopicEvent('friends_changed', async (frame, userId) => (frame.topic === SOCIAL_TOPIC ? await friendsFragments(userId) : undefined))
  content.onTopicEvent('messages_read', async (frame, userId) => {
    if (frame.topic !== SOCIAL_TOPIC) return undefined
    const data = frame.data as EventData<'messages_read'>
    if (data.user_id === userId) return row(userId, data.conversation_id, 'replace')
    return partial('social/seen', { conversationId: data.conversation_id, seen: await social.seenByOthers(userId, data.conversation_id), oob: true })
  })

  return {
    stop() {
      app.hub.off('user_online', connected)
      app.hub.off('user_offline', disconnected)
      once.clear()
    },
  }
}
