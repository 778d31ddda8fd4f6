/**
 * Friend requests. A request towards someone who already asked you accepts
 * theirs instead; accepting tells the requester (frame + notification) and lets
 * both see at once whether the other is online.
 */
import { and, count, desc, eq } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../db/client.js'
import { lockKey, transact, type Outbox, type Tx } from '../../../db/transact.js'
import { conflict, invalid, notFound } from '../../../errors.js'
import type { Bus } from '../../../realtime/bus.js'
import type { PublicUser } from '../../../protocol.js'
import { friendRequests, friendships, type FriendRequestRow } from '../schema.js'
import type { Conn } from './conn.js'
import { pushFrame, pushFriendsChanged } from './events.js'
import { areFriendsIn } from './friendships.js'
import { findPerson, type People } from './people.js'

export interface FriendRequestView {
  request_id: number
  user: PublicUser
  created_at: string
}

export type SentFriendRequest = { requestId: number; accepted: false } | { requestId: number; accepted: true; friend: PublicUser }

/** What social needs of the notifications domain. */
export type Notifier = Pick<FastifyInstance['notifications'], 'createIn' | 'readThreadIn'>

export interface FriendRequestsDeps {
  db: Db
  bus: Bus
  people: People
  notifications: Notifier
  /** Online on any process (presence). */
  isOnline(userId: number): boolean
}

const pending = eq(friendRequests.status, 'pending')

export async function pendingRequest(conn: Conn, fromId: number, toId: number): Promise<FriendRequestRow | undefined> {
  return (await conn
    .select()
    .from(friendRequests)
    .where(and(eq(friendRequests.fromUserId, fromId), eq(friendRequests.toUserId, toId), pending)).limit(1))[0]
}

async function requestOf(tx: Tx, requestId: number): Promise<FriendRequestRow | undefined> {
  return (await tx.select().from(friendRequests).where(eq(friendRequests.id, requestId)).limit(1))[0]
}

/** Ends a pending request (accepted, declined, cancelled). */
async function answerRequest(tx: Tx, requestId: number, status: 'accepted' | 'declined' | 'cancelled'): Promise<void> {
  await tx.update(friendRequests).set({ status, respondedAt: Date.now() }).where(and(eq(friendRequests.id, requestId), pending))
}

/** The newest request from one user to another, whatever its status. */
async function latestRequest(tx: Tx, fromId: number, toId: number): Promise<FriendRequestRow | undefined> {
  return (await tx
    .select()
    .from(friendRequests)
    .where(and(eq(friendRequests.fromUserId, fromId), eq(friendRequests.toUserId, toId)))
    .orderBy(desc(friendRequests.id)).limit(1))[0]
}

function refuseUnlessPending(request: FriendRequestRow): void {
  if (request.status !== 'pending') throw conflict(`That friend request was ${request.status}`)
}

export function createFriendRequests({ db, bus, people, notifications, isOnline }: FriendRequestsDeps) {
  /** Pending requests made to (`incoming`) or by this user, newest first, each with the other person. */
  async function pendingRequests(userId: number, direction: 'incoming' | 'outgoing'): Promise<FriendRequestView[]> {
    const incoming = direction === 'incoming'
    const rows = await db
      .select({ id: friendRequests.id, from: friendRequests.fromUserId, to: friendRequests.toUserId, createdAt: friendRequests.createdAt })
      .from(friendRequests)
      .where(and(eq(incoming ? friendRequests.toUserId : friendRequests.fromUserId, userId), pending))
      .orderBy(desc(friendRequests.id))
    const otherOf = (r: { from: number; to: number }) => (incoming ? r.from : r.to)
    const users = await people.byIds(rows.map(otherOf))
    return rows.flatMap((r) => {
      const user = users.get(otherOf(r))
      return user ? [{ request_id: r.id, user, created_at: new Date(r.createdAt).toISOString() }] : []
    })
  }

  /** Inside a transaction: makes the two friends and tells the requester. */
  async function acceptIn(tx: Tx, outbox: Outbox, request: FriendRequestRow): Promise<PublicUser> {
    const now = Date.now()
    const requester = await findPerson(people, request.fromUserId)
    const accepter = await findPerson(people, request.toUserId)
    await answerRequest(tx, request.id, 'accepted')
    await notifications.readThreadIn(tx, outbox, accepter.id, `user:${requester.id}`, ['friend_request'])
    await tx.insert(friendships)
      .values([
        { userId: requester.id, friendId: accepter.id, createdAt: now },
        { userId: accepter.id, friendId: requester.id, createdAt: now },
      ])
      .onConflictDoNothing()
    await notifications.createIn(tx, outbox, [requester.id], {
      kind: 'friend_accepted',
      title: 'Friend request accepted',
      message: `@${accepter.username} accepted your friend request`,
      linkUrl: '/friends',
      linkText: 'See friends',
      actorId: accepter.id,
      thread: `user:${accepter.id}`,
    })
    pushFrame(outbox, [requester.id], { type: 'friend_accepted', data: { friend: accepter } })
    pushFriendsChanged(outbox, accepter.id, 'accepted', requester.id)
    // New friends learn at once whether the other is online.
    if (isOnline(accepter.id)) pushFrame(outbox, [requester.id], { type: 'presence', user_id: accepter.id, online: true })
    if (isOnline(requester.id)) pushFrame(outbox, [accepter.id], { type: 'presence', user_id: requester.id, online: true })
    return requester
  }

  /** Declining (by its receiver) or cancelling (by its sender) ends a pending request. */
  async function endRequest(userId: number, requestId: number, status: 'declined' | 'cancelled'): Promise<void> {
    await transact(db, bus, async (tx, outbox) => {
      const request = await requestOf(tx, requestId)
      const declining = status === 'declined'
      if (!request || (declining ? request.toUserId : request.fromUserId) !== userId) {
        throw notFound(declining ? `You have no friend request ${requestId}` : `You sent no friend request ${requestId}`)
      }
      refuseUnlessPending(request)
      await answerRequest(tx, requestId, status)
      if (declining) await notifications.readThreadIn(tx, outbox, userId, `user:${request.fromUserId}`, ['friend_request'])
      const otherId = declining ? request.fromUserId : request.toUserId
      pushFriendsChanged(outbox, userId, status, otherId)
      // The sender of a declined request is not told; their request simply stops being pending.
      if (!declining) pushFriendsChanged(outbox, otherId, status, userId)
    })
  }

  return {
    incomingRequests: async (userId: number) => pendingRequests(userId, 'incoming'),
    outgoingRequests: async (userId: number) => pendingRequests(userId, 'outgoing'),

    async pendingRequestCount(userId: number): Promise<number> {
      return (await db.select({ n: count() }).from(friendRequests).where(and(eq(friendRequests.toUserId, userId), pending)).limit(1))[0]?.n ?? 0
    },

    /**
     * Sends a friend request. A request to someone who already asked you accepts
     * theirs instead. No self requests, no second pending request, none to friends.
     */
    async sendFriendRequest(fromId: number, toId: number): Promise<SentFriendRequest> {
      if (fromId === toId) throw invalid('You cannot send a friend request to yourself')
      return transact(db, bus, async (tx, outbox): Promise<SentFriendRequest> => {
        // Two people asking each other at once: the second sees the first and accepts it.
        await lockKey(tx, `friends:${Math.min(fromId, toId)}:${Math.max(fromId, toId)}`)
        const from = await findPerson(people, fromId)
        const to = await findPerson(people, toId)
        if (await areFriendsIn(tx, fromId, toId)) throw conflict(`You and @${to.username} are already friends`)
        const theirs = await pendingRequest(tx, toId, fromId)
        if (theirs) {
          await acceptIn(tx, outbox, theirs)
          return { requestId: theirs.id, accepted: true, friend: to }
        }
        if (await pendingRequest(tx, fromId, toId)) throw conflict(`You already asked @${to.username} to be friends`)
        const now = Date.now()
        const requestId = (await tx
          .insert(friendRequests)
          .values({ fromUserId: fromId, toUserId: toId, status: 'pending', createdAt: now })
          .returning({ id: friendRequests.id }))[0].id
        await notifications.createIn(tx, outbox, [toId], {
          kind: 'friend_request',
          title: 'New friend request',
          message: `@${from.username} wants to be your friend`,
          linkUrl: '/friends',
          linkText: 'See requests',
          actorId: fromId,
          thread: `user:${fromId}`,
        })
        pushFrame(outbox, [toId], { type: 'friend_request', data: { request_id: requestId, from_user: from, created_at: new Date(now).toISOString() } })
        pushFriendsChanged(outbox, fromId, 'requested', toId)
        return { requestId, accepted: false }
      })
    },

    /** Accepts a request made to this user; accepting it twice answers the same. */
    async acceptFriendRequest(userId: number, requestId: number): Promise<PublicUser> {
      return transact(db, bus, async (tx, outbox) => {
        const request = await requestOf(tx, requestId)
        if (!request || request.toUserId !== userId) throw notFound(`You have no friend request ${requestId}`)
        if (request.status === 'accepted' && await areFriendsIn(tx, userId, request.fromUserId)) return findPerson(people, request.fromUserId)
        refuseUnlessPending(request)
        return acceptIn(tx, outbox, request)
      })
    },

    /**
     * The actions of a friend_request notification, which names the sender: answers
     * their pending request. Already answered: 409 saying how; never asked: 404.
     */
    async answerFriendRequestFrom(userId: number, fromId: number, answer: 'accept' | 'decline'): Promise<PublicUser> {
      return transact(db, bus, async (tx, outbox) => {
        const from = await findPerson(people, fromId)
        const request = await latestRequest(tx, fromId, userId)
        if (!request) throw notFound(`You have no friend request from @${from.username}`)
        if (request.status === 'cancelled') throw conflict(`@${from.username} cancelled that friend request`)
        if (request.status !== 'pending') throw conflict(`You already ${request.status} @${from.username}'s friend request`)
        if (answer === 'accept') return acceptIn(tx, outbox, request)
        await answerRequest(tx, request.id, 'declined')
        await notifications.readThreadIn(tx, outbox, userId, `user:${fromId}`, ['friend_request'])
        pushFriendsChanged(outbox, userId, 'declined', fromId)
        return from
      })
    },

    declineFriendRequest: async (userId: number, requestId: number) => endRequest(userId, requestId, 'declined'),
    cancelFriendRequest: async (userId: number, requestId: number) => endRequest(userId, requestId, 'cancelled'),
  }
}

export type FriendRequestsService = ReturnType<typeof createFriendRequests>
