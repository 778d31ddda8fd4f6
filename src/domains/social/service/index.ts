/**
 * The social service: friends, conversations and messages, presence, typing.
 * Writes happen in one transaction each and their pushes (frames, notifications,
 * counts) go to the outbox, published after commit. Nothing here renders HTML or
 * touches a socket.
 */
import type { Db } from '../../../db/client.js'
import type { Bus } from '../../../realtime/bus.js'
import { createConversations } from './conversations.js'
import { createFriendRequests, pendingRequest, type Notifier } from './friend-requests.js'
import { createFriendships, friendIdsQuery } from './friendships.js'
import { createMessages } from './messages.js'
import { findPerson, type People } from './people.js'
import { PresenceTracker, type PresenceOptions } from './presence.js'
import type { PresenceStore } from './presence-store.js'
import { TypingRelay, type TypingOutcome } from './typing.js'

export type { ConversationSummary, ConversationView } from './conversations.js'
export type { FriendRequestView } from './friend-requests.js'
export type { Relationship } from './friendships.js'
export type { MessageDTO } from './message-view.js'
export type { People } from './people.js'
export { SOCIAL_TOPIC, type SocialEvent } from './events.js'

export interface SocialServiceDeps {
  db: Db
  bus: Bus
  people: People
  notifications: Notifier
  presence: Pick<PresenceOptions, 'local' | 'graceMs' | 'heartbeatMs' | 'onStoreReady' | 'busReady' | 'log'> & { store: PresenceStore }
  typingTimeoutMs?: number
}

export function createSocialService({ db, bus, people, notifications, presence: presenceOptions, typingTimeoutMs }: SocialServiceDeps) {
  const friendIds = friendIdsQuery(db)
  const presence = new PresenceTracker({ bus, friendIds, ...presenceOptions })
  const typing = new TypingRelay({
    publish: (userIds, frame) => bus.publish({ type: 'frame', userIds, frame }),
    timeoutMs: typingTimeoutMs,
  })
  const isOnline = (userId: number) => presence.isOnline(userId)
  const requests = createFriendRequests({ db, bus, people, notifications, isOnline })
  const friendships = createFriendships({ db, bus, people, isOnline, friendIds, pendingRequestId: async (fromId, toId) => (await pendingRequest(db, fromId, toId))?.id })
  const conversations = createConversations({ db, bus, people })
  const messages = createMessages({ db, bus, people })

  return {
    ...requests,
    ...friendships,
    ...conversations,
    ...messages,
    presence,
    typing,

    /** Everything the friends panel shows: requests both ways and the friends. */
    async friendsOverview(userId: number) {
      return { incoming: await requests.incomingRequests(userId), outgoing: await requests.outgoingRequests(userId), friends: await friendships.listFriends(userId) }
    },

    /** A typing frame from one socket (`source`), relayed to the conversation's other members. */
    async relayTyping(userId: number, source: object, conversationId: number, isTyping: boolean): Promise<TypingOutcome> {
      const members = await conversations.participantsFor(userId, conversationId)
      return typing.handle(source, await findPerson(people, userId), conversationId, isTyping, members.filter((id) => id !== userId))
    },

    /** Sending ends the sender's typing indicator at once. */
    async sendMessage(...args: Parameters<typeof messages.sendMessage>) {
      const sent = await messages.sendMessage(...args)
      if (sent.created) typing.messageSent(args[0], sent.message.conversation_id)
      return sent
    },

    /** Before closing: no more timers, and this process's users go offline unless another holds them. */
    async stop(): Promise<void> {
      typing.clear()
      await presence.stop()
    },
  }
}

export type SocialService = ReturnType<typeof createSocialService>
