/**
 * Friend requests and friendships. A request towards someone who already asked
 * you accepts theirs instead; accepting tells the requester (frame + notification)
 * and lets both see at once whether the other is online.
 */
import { and, count, desc, eq, or } from 'drizzle-orm'
import type { FastifyInstance } from 'fastify'
import type { Db } from '../../../db/client.js'
import { transact, type Outbox, type Tx } from '../../../db/transact.js'
import { conflict, invalid, notFound } from '../../../errors.js'
import type { Bus } from '../../../realtime/bus.js'
import type { PublicUser } from '../../../protocol.js'
import { friendRequests, friendships, type FriendRequestRow } from '../schema.js'
import type { Conn } from './conn.js'
import { pushFrame, pushFriendsChanged } from './events.js'
import { findPerson, type People } from './people.js'

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

export type SentFriendRequest = { requestId: number; accepted: false } | { requestId: number; accepted: true; friend: PublicUser }

/** What social needs of the notifications domain. */
export type Notifier = Pick<FastifyInstance['notifications'], 'createIn'>

export interface FriendsDeps {
  db: Db
  bus: Bus
  people: People
  notifications: Notifier
  /** Online on any process (presence). */
  isOnline(userId: number): boolean
}

export function areFriendsIn(conn: Conn, userId: number, otherId: number): boolean {
  const row = conn
    .select({ friendId: friendships.friendId })
    .from(friendships)
    .where(and(eq(friendships.userId, userId), eq(friendships.friendId, otherId)))
    .get()
  return row !== undefined
}

export function friendIdsIn(conn: Conn, userId: number): number[] {
  return conn.select({ id: friendships.friendId }).from(friendships).where(eq(friendships.userId, userId)).all().map((r) => r.id)
}

const pending = eq(friendRequests.status, 'pending')

function pendingRequest(conn: Conn, fromId: number, toId: number): FriendRequestRow | undefined {
  return conn
    .select()
    .from(friendRequests)
    .where(and(eq(friendRequests.fromUserId, fromId), eq(friendRequests.toUserId, toId), pending))
    .get()
}

function requestOf(tx: Tx, requestId: number): FriendRequestRow | undefined {
  return tx.select().from(friendRequests).where(eq(friendRequests.id, requestId)).get()
}

/** Ends a pending request (accepted, declined, cancelled); false when it was not pending any more. */
function answerRequest(tx: Tx, requestId: number, status: 'accepted' | 'declined' | 'cancelled', now: number): boolean {
  return tx.update(friendRequests).set({ status, respondedAt: now }).where(and(eq(friendRequests.id, requestId), pending)).run().changes > 0
}

function refuseUnlessPending(request: FriendRequestRow): void {
  if (request.status !== 'pending') throw conflict(`That friend request was ${request.status}`)
}

export function createFriends({ db, bus, people, notifications, isOnline }: FriendsDeps) {
  function requestViews(rows: Array<{ id: number; otherId: number; createdAt: number }>): FriendRequestView[] {
    const users = people.byIds(rows.map((r) => r.otherId))
    return rows.flatMap((r) => {
      const user = users.get(r.otherId)
      return user ? [{ request_id: r.id, user, created_at: new Date(r.createdAt).toISOString() }] : []
    })
  }

  /** Inside a transaction: makes the two friends and tells the requester. */
  function acceptIn(tx: Tx, outbox: Outbox, request: FriendRequestRow): PublicUser {
    const now = Date.now()
    const requester = findPerson(people, request.fromUserId)
    const accepter = findPerson(people, request.toUserId)
    answerRequest(tx, request.id, 'accepted', now)
    tx.insert(friendships)
      .values([
        { userId: requester.id, friendId: accepter.id, createdAt: now },
        { userId: accepter.id, friendId: requester.id, createdAt: now },
      ])
      .onConflictDoNothing()
      .run()
    notifications.createIn(tx, outbox, [requester.id], {
      kind: 'friend_accepted',
      title: 'Friend request accepted',
      message: `@${accepter.username} accepted your friend request`,
      linkUrl: '/friends',
      linkText: 'See friends',
      actorId: accepter.id,
    })
    pushFrame(outbox, [requester.id], { type: 'friend_accepted', data: { friend: accepter } })
    pushFriendsChanged(outbox, accepter.id, 'accepted', requester.id)
    // New friends learn at once whether the other is online.
    if (isOnline(accepter.id)) pushFrame(outbox, [requester.id], { type: 'presence', user_id: accepter.id, online: true })
    if (isOnline(requester.id)) pushFrame(outbox, [accepter.id], { type: 'presence', user_id: requester.id, online: true })
    return requester
  }

  const friends = {
    areFriends(userId: number, otherId: number): boolean {
      return areFriendsIn(db, userId, otherId)
    },

    friendIds(userId: number): number[] {
      return friendIdsIn(db, userId)
    },

    /** Friends by username, each with whether they are online. */
    listFriends(userId: number): Array<PublicUser & { online: boolean }> {
      return [...people.byIds(friends.friendIds(userId)).values()]
        .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
        .map((user) => ({ ...user, online: isOnline(user.id) }))
    },

    /** Pending requests made to this user, newest first. */
    incomingRequests(userId: number): FriendRequestView[] {
      const rows = db
        .select({ id: friendRequests.id, otherId: friendRequests.fromUserId, createdAt: friendRequests.createdAt })
        .from(friendRequests)
        .where(and(eq(friendRequests.toUserId, userId), pending))
        .orderBy(desc(friendRequests.id))
        .all()
      return requestViews(rows)
    },

    /** Pending requests this user made, newest first. */
    outgoingRequests(userId: number): FriendRequestView[] {
      const rows = db
        .select({ id: friendRequests.id, otherId: friendRequests.toUserId, createdAt: friendRequests.createdAt })
        .from(friendRequests)
        .where(and(eq(friendRequests.fromUserId, userId), pending))
        .orderBy(desc(friendRequests.id))
        .all()
      return requestViews(rows)
    },

    /** People whose username matches, each with where they stand with this user. */
    searchPeople(userId: number, q: string | undefined): Array<{ person: PublicUser; relationship: Relationship }> {
      const query = (q ?? '').trim()
      if (!query) return []
      return people.search(query, 20).map((person) => ({ person, relationship: friends.relationship(userId, person.id) }))
    },

    /** One person and where they stand with this user; undefined for an unknown id. */
    lookupPerson(userId: number, otherId: number): { person: PublicUser; relationship: Relationship } | undefined {
      const person = people.byIds([otherId]).get(otherId)
      return person && { person, relationship: friends.relationship(userId, otherId) }
    },

    /** Everything the friends panel shows: requests both ways and the friends. */
    friendsOverview(userId: number) {
      return { incoming: friends.incomingRequests(userId), outgoing: friends.outgoingRequests(userId), friends: friends.listFriends(userId) }
    },

    pendingRequestCount(userId: number): number {
      return db.select({ n: count() }).from(friendRequests).where(and(eq(friendRequests.toUserId, userId), pending)).get()?.n ?? 0
    },

    relationship(userId: number, otherId: number): Relationship {
      if (userId === otherId) return { kind: 'self' }
      if (areFriendsIn(db, userId, otherId)) return { kind: 'friend' }
      const mine = pendingRequest(db, userId, otherId)
      if (mine) return { kind: 'outgoing', requestId: mine.id }
      const theirs = pendingRequest(db, otherId, userId)
      if (theirs) return { kind: 'incoming', requestId: theirs.id }
      return { kind: 'none' }
    },

    /**
     * Sends a friend request. A request to someone who already asked you accepts
     * theirs instead. No self requests, no second pending request, none to friends.
     */
    sendFriendRequest(fromId: number, toId: number): SentFriendRequest {
      if (fromId === toId) throw invalid('You cannot send a friend request to yourself')
      return transact(db, bus, (tx, outbox): SentFriendRequest => {
        const from = findPerson(people, fromId)
        const to = findPerson(people, toId)
        if (areFriendsIn(tx, fromId, toId)) throw conflict(`You and @${to.username} are already friends`)
        const theirs = pendingRequest(tx, toId, fromId)
        if (theirs) {
          acceptIn(tx, outbox, theirs)
          return { requestId: theirs.id, accepted: true, friend: to }
        }
        if (pendingRequest(tx, fromId, toId)) throw conflict(`You already asked @${to.username} to be friends`)
        const now = Date.now()
        const requestId = tx
          .insert(friendRequests)
          .values({ fromUserId: fromId, toUserId: toId, status: 'pending', createdAt: now })
          .returning({ id: friendRequests.id })
          .get().id
        notifications.createIn(tx, outbox, [toId], {
          kind: 'friend_request',
          title: 'New friend request',
          message: `@${from.username} wants to be your friend`,
          linkUrl: '/friends',
          linkText: 'See requests',
          actorId: fromId,
        })
        pushFrame(outbox, [toId], { type: 'friend_request', data: { request_id: requestId, from_user: from, created_at: new Date(now).toISOString() } })
        pushFriendsChanged(outbox, fromId, 'requested', toId)
        return { requestId, accepted: false }
      })
    },

    /** Accepts a request made to this user; accepting it twice answers the same. */
    acceptFriendRequest(userId: number, requestId: number): PublicUser {
      return transact(db, bus, (tx, outbox) => {
        const request = requestOf(tx, requestId)
        if (!request || request.toUserId !== userId) throw notFound(`You have no friend request ${requestId}`)
        if (request.status === 'accepted' && areFriendsIn(tx, userId, request.fromUserId)) return findPerson(people, request.fromUserId)
        refuseUnlessPending(request)
        return acceptIn(tx, outbox, request)
      })
    },

    declineFriendRequest(userId: number, requestId: number): void {
      transact(db, bus, (tx, outbox) => {
        const request = requestOf(tx, requestId)
        if (!request || request.toUserId !== userId) throw notFound(`You have no friend request ${requestId}`)
        refuseUnlessPending(request)
        answerRequest(tx, requestId, 'declined', Date.now())
        // The sender is not told; their request simply stops being pending.
        pushFriendsChanged(outbox, userId, 'declined', request.fromUserId)
      })
    },

    cancelFriendRequest(userId: number, requestId: number): void {
      transact(db, bus, (tx, outbox) => {
        const request = requestOf(tx, requestId)
        if (!request || request.fromUserId !== userId) throw notFound(`You sent no friend request ${requestId}`)
        refuseUnlessPending(request)
        answerRequest(tx, requestId, 'cancelled', Date.now())
        pushFriendsChanged(outbox, userId, 'cancelled', request.toUserId)
        pushFriendsChanged(outbox, request.toUserId, 'cancelled', userId)
      })
    },

    unfriend(userId: number, friendId: number): void {
      transact(db, bus, (tx, outbox) => {
        const removed = tx
          .delete(friendships)
          .where(
            or(
              and(eq(friendships.userId, userId), eq(friendships.friendId, friendId)),
              and(eq(friendships.userId, friendId), eq(friendships.friendId, userId)),
            ),
          )
          .run().changes
        if (!removed) throw notFound(`You are not friends with user ${friendId}`)
        pushFriendsChanged(outbox, userId, 'removed', friendId)
        pushFriendsChanged(outbox, friendId, 'removed', userId)
      })
    },
  }
  return friends
}

export type FriendsService = ReturnType<typeof createFriends>
