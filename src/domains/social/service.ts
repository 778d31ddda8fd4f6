/**
 * Social: friends and direct messages. Writes happen in one transaction each and
 * their pushes (frames, notifications, counts) go to the outbox, published after
 * commit. Nothing here renders HTML or touches a socket.
 */
import type { Db } from '../../db/client.js'
import { transact, type Outbox, type Tx } from '../../db/transact.js'
import type { Bus } from '../../realtime/bus.js'
import type { NewMessageFrame, PublicUser, ServerFrame, TopicFrame } from '../../protocol.js'
import type { NotificationService } from '../notifications/service.js'
import { directKey, normaliseMessage, MAX_MESSAGE_LENGTH } from './rules.js'

export class SocialError extends Error {
  constructor(
    readonly status: number,
    readonly code: 'invalid' | 'not_found' | 'forbidden' | 'conflict',
    message: string,
  ) {
    super(message)
  }
}

export type MessageDTO = NewMessageFrame['data']

export type Relationship =
  | { kind: 'self' }
  | { kind: 'friend' }
  | { kind: 'outgoing'; requestId: number }
  | { kind: 'incoming'; requestId: number }
  | { kind: 'none' }

export interface FriendRequestView {
  request_id: number
  user: PublicUser
  created_at: string
}

export interface ConversationSummary {
  id: number
  other: PublicUser
  last_message: MessageDTO | null
  unread_count: number
}

export interface ConversationView {
  id: number
  other: PublicUser
  /** The other member's last read message id ("Seen"). */
  otherLastRead: number
  /** Sending needs the two to be friends. */
  canSend: boolean
}

/** The `topic_event` frames social adds beyond PROTOCOL.md (sent to users, not to subscribers). */
export const SOCIAL_TOPIC = 'social'
export type SocialEvent =
  | { event: 'friends_changed'; data: { reason: 'requested' | 'accepted' | 'declined' | 'cancelled' | 'removed'; user_id: number } }
  | { event: 'messages_read'; data: { conversation_id: number; user_id: number; last_read_message_id: number } }

export function socialFrame(e: SocialEvent): TopicFrame {
  return { type: 'topic_event', topic: SOCIAL_TOPIC, event: e.event, data: e.data }
}

interface UserSql {
  id: number
  username: string
  first_name: string
  last_name: string
}
interface RequestSql {
  id: number
  from_user_id: number
  to_user_id: number
  status: string
  created_at: number
}
interface MessageSql {
  id: number
  conversation_id: number
  client_id: string
  content: string
  created_at: number
  sender_id: number
  username: string
  first_name: string
  last_name: string
}

const toUser = (r: UserSql): PublicUser => ({ id: r.id, username: r.username, first_name: r.first_name, last_name: r.last_name })
const toMessage = (r: MessageSql): MessageDTO => ({
  id: r.id,
  conversation_id: r.conversation_id,
  client_id: r.client_id,
  sender: { id: r.sender_id, username: r.username, first_name: r.first_name, last_name: r.last_name },
  content: r.content,
  created_at: new Date(r.created_at).toISOString(),
})

export interface SocialServiceDeps {
  db: Db
  bus: Bus
  notifications: NotificationService
  /** Is this user online on any process (presence.ts)? */
  isOnline(userId: number): boolean
}

export const PAGE_SIZE = 30

export function createSocialService({ db, bus, notifications, isOnline }: SocialServiceDeps) {
  const s = db.$client
  const MSG = `SELECT m.id, m.conversation_id, m.client_id, m.content, m.created_at, u.id AS sender_id, u.username, u.first_name, u.last_name
    FROM messages m JOIN users u ON u.id = m.sender_id`
  const q = {
    user: s.prepare<[number], UserSql>('SELECT id, username, first_name, last_name FROM users WHERE id = ?'),
    areFriends: s.prepare<[number, number], number>('SELECT 1 FROM friendships WHERE user_id = ? AND friend_id = ?').pluck(),
    friendIds: s.prepare<[number], number>('SELECT friend_id FROM friendships WHERE user_id = ?').pluck(),
    friends: s.prepare<[number], UserSql>(
      'SELECT u.id, u.username, u.first_name, u.last_name FROM friendships f JOIN users u ON u.id = f.friend_id WHERE f.user_id = ? ORDER BY u.username',
    ),
    request: s.prepare<[number], RequestSql>('SELECT * FROM friend_requests WHERE id = ?'),
    pendingFromTo: s.prepare<[number, number], RequestSql>(
      "SELECT * FROM friend_requests WHERE from_user_id = ? AND to_user_id = ? AND status = 'pending'",
    ),
    incoming: s.prepare<[number], UserSql & { request_id: number; created_at: number }>(
      `SELECT r.id AS request_id, r.created_at, u.id, u.username, u.first_name, u.last_name FROM friend_requests r
       JOIN users u ON u.id = r.from_user_id WHERE r.to_user_id = ? AND r.status = 'pending' ORDER BY r.id DESC`,
    ),
    outgoing: s.prepare<[number], UserSql & { request_id: number; created_at: number }>(
      `SELECT r.id AS request_id, r.created_at, u.id, u.username, u.first_name, u.last_name FROM friend_requests r
       JOIN users u ON u.id = r.to_user_id WHERE r.from_user_id = ? AND r.status = 'pending' ORDER BY r.id DESC`,
    ),
    pendingCount: s.prepare<[number], number>("SELECT count(*) FROM friend_requests WHERE to_user_id = ? AND status = 'pending'").pluck(),
    insertRequest: s.prepare<[number, number, number]>("INSERT INTO friend_requests (from_user_id, to_user_id, status, created_at) VALUES (?, ?, 'pending', ?)"),
    setRequestStatus: s.prepare<[string, number, number]>("UPDATE friend_requests SET status = ?, responded_at = ? WHERE id = ? AND status = 'pending'"),
    insertFriendship: s.prepare<[number, number, number]>('INSERT OR IGNORE INTO friendships (user_id, friend_id, created_at) VALUES (?, ?, ?)'),
    deleteFriendship: s.prepare<[number, number, number, number]>(
      'DELETE FROM friendships WHERE (user_id = ? AND friend_id = ?) OR (user_id = ? AND friend_id = ?)',
    ),

    conversationByKey: s.prepare<[string], number>('SELECT id FROM conversations WHERE direct_key = ?').pluck(),
    insertConversation: s.prepare<[string, number]>('INSERT INTO conversations (direct_key, created_at) VALUES (?, ?)'),
    insertMember: s.prepare<[number, number, number]>(
      'INSERT OR IGNORE INTO conversation_members (conversation_id, user_id, joined_at) VALUES (?, ?, ?)',
    ),
    members: s.prepare<[number], { user_id: number; last_read_message_id: number }>(
      'SELECT user_id, last_read_message_id FROM conversation_members WHERE conversation_id = ?',
    ),
    isMember: s.prepare<[number, number], number>('SELECT 1 FROM conversation_members WHERE conversation_id = ? AND user_id = ?').pluck(),
    messageByClient: s.prepare<[number, string], MessageSql>(`${MSG} WHERE m.sender_id = ? AND m.client_id = ?`),
    messageById: s.prepare<[number], MessageSql>(`${MSG} WHERE m.id = ?`),
    insertMessage: s.prepare<[number, number, string, string, number]>(
      'INSERT INTO messages (conversation_id, sender_id, client_id, content, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    setLastMessage: s.prepare<[number, number]>('UPDATE conversations SET last_message_id = ? WHERE id = ?'),
    setLastRead: s.prepare<[number, number, number, number]>(
      'UPDATE conversation_members SET last_read_message_id = ? WHERE conversation_id = ? AND user_id = ? AND last_read_message_id < ?',
    ),
    latestMessage: s.prepare<[number], { id: number; sender_id: number }>(
      'SELECT id, sender_id FROM messages WHERE conversation_id = ? ORDER BY id DESC LIMIT 1',
    ),
    page: s.prepare<[number, number, number], MessageSql>(`${MSG} WHERE m.conversation_id = ? AND m.id < ? ORDER BY m.id DESC LIMIT ?`),
    after: s.prepare<[number, number, number], MessageSql>(`${MSG} WHERE m.conversation_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`),
    // Walks conversation_members(user_id) then messages(conversation_id, id > last read): only unread rows.
    unreadTotal: s
      .prepare<[number, number], number>(
        `SELECT count(*) FROM conversation_members cm
         JOIN messages m ON m.conversation_id = cm.conversation_id AND m.id > cm.last_read_message_id
         WHERE cm.user_id = ? AND m.sender_id <> ?`,
      )
      .pluck(),
    summaries: s.prepare<[number, number, number], { id: number; last_message_id: number | null; other_id: number; unread: number }>(
      `SELECT c.id, c.last_message_id, o.user_id AS other_id,
         (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.id > cm.last_read_message_id AND m.sender_id <> cm.user_id) AS unread
       FROM conversation_members cm
       JOIN conversations c ON c.id = cm.conversation_id
       JOIN conversation_members o ON o.conversation_id = c.id AND o.user_id <> cm.user_id
       WHERE cm.user_id = ? AND (? = 0 OR c.id = ?)
       ORDER BY coalesce(c.last_message_id, 0) DESC, c.id DESC LIMIT 100`,
    ),
  }

  function userOrThrow(id: number): PublicUser {
    const row = q.user.get(id)
    if (!row) throw new SocialError(404, 'not_found', `There is no user ${id}`)
    return toUser(row)
  }

  const friendsChanged = (reason: Extract<SocialEvent, { event: 'friends_changed' }>['data']['reason'], userId: number) =>
    socialFrame({ event: 'friends_changed', data: { reason, user_id: userId } })

  function pushFrame(outbox: Outbox, userIds: number[], frame: ServerFrame) {
    if (userIds.length) outbox.push({ type: 'frame', userIds, frame })
  }

  /** Inside a transaction: makes the two friends and tells the requester. */
  function acceptIn(tx: Tx, outbox: Outbox, request: RequestSql): PublicUser {
    const now = Date.now()
    const requester = userOrThrow(request.from_user_id)
    const accepter = userOrThrow(request.to_user_id)
    q.setRequestStatus.run('accepted', now, request.id)
    q.insertFriendship.run(requester.id, accepter.id, now)
    q.insertFriendship.run(accepter.id, requester.id, now)
    notifications.createIn(tx, outbox, [requester.id], {
      kind: 'friend_accepted',
      title: 'Friend request accepted',
      message: `@${accepter.username} accepted your friend request`,
      linkUrl: '/friends',
      linkText: 'See friends',
      actorId: accepter.id,
    })
    pushFrame(outbox, [requester.id], { type: 'friend_accepted', data: { friend: accepter } })
    pushFrame(outbox, [accepter.id], friendsChanged('accepted', requester.id))
    // New friends learn at once whether the other is online.
    if (isOnline(accepter.id)) pushFrame(outbox, [requester.id], { type: 'presence', user_id: accepter.id, online: true })
    if (isOnline(requester.id)) pushFrame(outbox, [accepter.id], { type: 'presence', user_id: requester.id, online: true })
    return requester
  }

  const service = {
    // ------------------------------------------------------------ people and friends

    findUser(id: number): PublicUser | null {
      const row = q.user.get(id)
      return row ? toUser(row) : null
    },

    areFriends(a: number, b: number): boolean {
      return q.areFriends.get(a, b) === 1
    },

    friendIds(userId: number): number[] {
      return q.friendIds.all(userId)
    },

    listFriends(userId: number): Array<PublicUser & { online: boolean }> {
      return q.friends.all(userId).map((r) => ({ ...toUser(r), online: isOnline(r.id) }))
    },

    incomingRequests(userId: number): FriendRequestView[] {
      return q.incoming.all(userId).map((r) => ({ request_id: r.request_id, user: toUser(r), created_at: new Date(r.created_at).toISOString() }))
    },

    outgoingRequests(userId: number): FriendRequestView[] {
      return q.outgoing.all(userId).map((r) => ({ request_id: r.request_id, user: toUser(r), created_at: new Date(r.created_at).toISOString() }))
    },

    pendingRequestCount(userId: number): number {
      return q.pendingCount.get(userId) ?? 0
    },

    relationship(userId: number, otherId: number): Relationship {
      if (userId === otherId) return { kind: 'self' }
      if (service.areFriends(userId, otherId)) return { kind: 'friend' }
      const mine = q.pendingFromTo.get(userId, otherId)
      if (mine) return { kind: 'outgoing', requestId: mine.id }
      const theirs = q.pendingFromTo.get(otherId, userId)
      if (theirs) return { kind: 'incoming', requestId: theirs.id }
      return { kind: 'none' }
    },

    /**
     * Sends a friend request. A request to someone who already asked you accepts
     * theirs instead. No self requests, no second pending request, none to friends.
     */
    sendFriendRequest(fromId: number, toId: number): { requestId: number; accepted: false } | { requestId: number; accepted: true; friend: PublicUser } {
      if (fromId === toId) throw new SocialError(400, 'invalid', 'You cannot send a friend request to yourself')
      return transact(db, bus, (tx, outbox) => {
        const from = userOrThrow(fromId)
        const to = userOrThrow(toId)
        if (service.areFriends(fromId, toId)) throw new SocialError(409, 'conflict', `You and @${to.username} are already friends`)
        const theirs = q.pendingFromTo.get(toId, fromId)
        if (theirs) {
          const friend = acceptIn(tx, outbox, theirs)
          return { requestId: theirs.id, accepted: true as const, friend: friend.id === fromId ? to : friend }
        }
        if (q.pendingFromTo.get(fromId, toId)) throw new SocialError(409, 'conflict', `You already asked @${to.username} to be friends`)
        const now = Date.now()
        const requestId = Number(q.insertRequest.run(fromId, toId, now).lastInsertRowid)
        notifications.createIn(tx, outbox, [toId], {
          kind: 'friend_request',
          title: 'New friend request',
          message: `@${from.username} wants to be your friend`,
          linkUrl: '/friends',
          linkText: 'See requests',
          actorId: fromId,
        })
        pushFrame(outbox, [toId], {
          type: 'friend_request',
          data: { request_id: requestId, from_user: from, created_at: new Date(now).toISOString() },
        })
        pushFrame(outbox, [fromId], friendsChanged('requested', toId))
        return { requestId, accepted: false as const }
      })
    },

    /** Accepts a request made to this user; accepting it twice answers the same. */
    acceptFriendRequest(userId: number, requestId: number): PublicUser {
      return transact(db, bus, (tx, outbox) => {
        const request = q.request.get(requestId)
        if (!request || request.to_user_id !== userId) throw new SocialError(404, 'not_found', `You have no friend request ${requestId}`)
        if (request.status === 'accepted' && service.areFriends(userId, request.from_user_id)) return userOrThrow(request.from_user_id)
        if (request.status !== 'pending') throw new SocialError(409, 'conflict', `That friend request was ${request.status}`)
        return acceptIn(tx, outbox, request)
      })
    },

    declineFriendRequest(userId: number, requestId: number): void {
      transact(db, bus, (_tx, outbox) => {
        const request = q.request.get(requestId)
        if (!request || request.to_user_id !== userId) throw new SocialError(404, 'not_found', `You have no friend request ${requestId}`)
        if (request.status !== 'pending') throw new SocialError(409, 'conflict', `That friend request was ${request.status}`)
        q.setRequestStatus.run('declined', Date.now(), requestId)
        // The sender is not told; their request simply stops being pending.
        pushFrame(outbox, [userId], friendsChanged('declined', request.from_user_id))
      })
    },

    cancelFriendRequest(userId: number, requestId: number): void {
      transact(db, bus, (_tx, outbox) => {
        const request = q.request.get(requestId)
        if (!request || request.from_user_id !== userId) throw new SocialError(404, 'not_found', `You sent no friend request ${requestId}`)
        if (request.status !== 'pending') throw new SocialError(409, 'conflict', `That friend request was ${request.status}`)
        q.setRequestStatus.run('cancelled', Date.now(), requestId)
        pushFrame(outbox, [userId], friendsChanged('cancelled', request.to_user_id))
        pushFrame(outbox, [request.to_user_id], friendsChanged('cancelled', userId))
      })
    },

    unfriend(userId: number, friendId: number): void {
      transact(db, bus, (_tx, outbox) => {
        const removed = q.deleteFriendship.run(userId, friendId, friendId, userId).changes
        if (!removed) throw new SocialError(404, 'not_found', `You are not friends with user ${friendId}`)
        pushFrame(outbox, [userId], friendsChanged('removed', friendId))
        pushFrame(outbox, [friendId], friendsChanged('removed', userId))
      })
    },

    // ------------------------------------------------------------ conversations

    /** The two-person conversation of these friends, created on first use. */
    startConversation(userId: number, otherId: number): number {
      if (userId === otherId) throw new SocialError(400, 'invalid', 'You cannot message yourself')
      const other = userOrThrow(otherId)
      if (!service.areFriends(userId, otherId)) throw new SocialError(403, 'forbidden', `You can only message friends; send @${other.username} a friend request first`)
      return transact(db, bus, () => findOrCreateDirect(userId, otherId))
    },

    isParticipant(userId: number, conversationId: number): boolean {
      return q.isMember.get(conversationId, userId) === 1
    },

    /** Member ids of a conversation; throws unless `userId` is one of them. */
    participantsFor(userId: number, conversationId: number): number[] {
      const members = q.members.all(conversationId)
      if (!members.length) throw new SocialError(404, 'not_found', `There is no conversation ${conversationId}`)
      if (!members.some((m) => m.user_id === userId)) throw new SocialError(403, 'forbidden', 'You are not in this conversation')
      return members.map((m) => m.user_id)
    },

    conversation(userId: number, conversationId: number): ConversationView {
      const members = q.members.all(conversationId)
      if (!members.length) throw new SocialError(404, 'not_found', `There is no conversation ${conversationId}`)
      if (!members.some((m) => m.user_id === userId)) throw new SocialError(403, 'forbidden', 'You are not in this conversation')
      const other = members.find((m) => m.user_id !== userId) ?? members[0]!
      return {
        id: conversationId,
        other: userOrThrow(other.user_id),
        otherLastRead: other.last_read_message_id,
        canSend: service.areFriends(userId, other.user_id),
      }
    },

    /**
     * Newest page of messages (oldest first), or the page before `before`; with
     * `after`, the messages that followed it (a page catching up after a reconnect).
     */
    messages(
      userId: number,
      conversationId: number,
      opts: { before?: number; after?: number; limit?: number } = {},
    ): { messages: MessageDTO[]; hasMore: boolean } {
      service.participantsFor(userId, conversationId)
      const limit = Math.min(Math.max(opts.limit ?? PAGE_SIZE, 1), 100)
      if (opts.after !== undefined) {
        const rows = q.after.all(conversationId, opts.after, limit + 1)
        return { messages: rows.slice(0, limit).map(toMessage), hasMore: rows.length > limit }
      }
      const rows = q.page.all(conversationId, opts.before ?? Number.MAX_SAFE_INTEGER, limit + 1)
      const hasMore = rows.length > limit
      return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore }
    },

    listConversations(userId: number): ConversationSummary[] {
      return summaries(userId, 0)
    },

    conversationSummary(userId: number, conversationId: number): ConversationSummary | null {
      return summaries(userId, conversationId)[0] ?? null
    },

    /**
     * Stores a message once per (sender, client_id), whichever path (socket or HTTP)
     * and however often it arrives: a repeat returns the first message, `created: false`.
     */
    sendMessage(
      senderId: number,
      to: { conversationId: number } | { recipientId: number },
      content: string,
      clientId: string,
    ): { message: MessageDTO; created: boolean } {
      if (typeof clientId !== 'string' || clientId.length < 1 || clientId.length > 64) {
        throw new SocialError(400, 'invalid', 'client_id must be 1 to 64 characters')
      }
      const first = q.messageByClient.get(senderId, clientId)
      if (first) return { message: toMessage(first), created: false }
      const text = normaliseMessage(content)
      if (text === null) throw new SocialError(400, 'invalid', `A message has 1 to ${MAX_MESSAGE_LENGTH} characters`)
      try {
        return transact(db, bus, (_tx, outbox) => {
          // Checked again inside the write lock: another process may have stored it meanwhile.
          const again = q.messageByClient.get(senderId, clientId)
          if (again) return { message: toMessage(again), created: false }
          let conversationId: number
          let memberIds: number[]
          if ('conversationId' in to) {
            conversationId = to.conversationId
            memberIds = service.participantsFor(senderId, conversationId)
          } else {
            if (to.recipientId === senderId) throw new SocialError(400, 'invalid', 'You cannot message yourself')
            userOrThrow(to.recipientId)
            memberIds = [senderId, to.recipientId]
            conversationId = 0
          }
          const others = memberIds.filter((id) => id !== senderId)
          if (!others.length || others.some((id) => !service.areFriends(senderId, id))) {
            throw new SocialError(403, 'forbidden', 'You can only message friends')
          }
          if (!conversationId) conversationId = findOrCreateDirect(senderId, others[0]!)
          const id = Number(q.insertMessage.run(conversationId, senderId, clientId, text, Date.now()).lastInsertRowid)
          q.setLastMessage.run(id, conversationId)
          q.setLastRead.run(id, conversationId, senderId, id)
          const message = toMessage(q.messageById.get(id)!)
          pushFrame(outbox, memberIds, { type: 'new_message', data: message })
          outbox.push({ type: 'counts', userIds: others })
          return { message, created: true }
        })
      } catch (err) {
        // Two processes raced on the same client_id: the loser answers with the winner's row.
        if (/UNIQUE constraint failed: messages\.sender_id/.test(String((err as Error).message))) {
          const winner = q.messageByClient.get(senderId, clientId)
          if (winner) return { message: toMessage(winner), created: false }
        }
        throw err
      }
    },

    /**
     * Marks every message of the conversation read for this member. When that
     * changed anything: count_update on all the reader's sockets and a
     * `messages_read` event to the members (the sender shows "Seen").
     */
    markConversationRead(userId: number, conversationId: number): boolean {
      return transact(db, bus, (_tx, outbox) => {
        const memberIds = service.participantsFor(userId, conversationId)
        const latest = q.latestMessage.get(conversationId)
        if (!latest) return false
        if (q.setLastRead.run(latest.id, conversationId, userId, latest.id).changes === 0) return false
        outbox.push({ type: 'counts', userIds: [userId] })
        pushFrame(
          outbox,
          memberIds,
          socialFrame({ event: 'messages_read', data: { conversation_id: conversationId, user_id: userId, last_read_message_id: latest.id } }),
        )
        return true
      })
    },

    /** For notifications.counts(): unread messages from others, in all conversations. */
    unreadMessagesCount(userId: number): number {
      return q.unreadTotal.get(userId, userId) ?? 0
    },

    /** Is the conversation's last message this user's, and read by the others? */
    seenByOthers(userId: number, conversationId: number): boolean {
      const latest = q.latestMessage.get(conversationId)
      if (!latest || latest.sender_id !== userId) return false
      const others = q.members.all(conversationId).filter((m) => m.user_id !== userId)
      return others.length > 0 && others.every((m) => m.last_read_message_id >= latest.id)
    },

    publicUsers(ids: number[]): PublicUser[] {
      return ids.map((id) => q.user.get(id)).filter((r): r is UserSql => !!r).map(toUser)
    },
  }

  function findOrCreateDirect(a: number, b: number): number {
    const key = directKey(a, b)
    const found = q.conversationByKey.get(key)
    if (found) return found
    const now = Date.now()
    const id = Number(q.insertConversation.run(key, now).lastInsertRowid)
    q.insertMember.run(id, a, now)
    q.insertMember.run(id, b, now)
    return id
  }

  function summaries(userId: number, only: number): ConversationSummary[] {
    return q.summaries.all(userId, only, only).map((r) => {
      const last = r.last_message_id ? q.messageById.get(r.last_message_id) : undefined
      return { id: r.id, other: userOrThrow(r.other_id), last_message: last ? toMessage(last) : null, unread_count: r.unread }
    })
  }

  return service
}

export type SocialService = ReturnType<typeof createSocialService>
