/** Friendships: who is friends with whom, where a user stands with another, unfriending. */
import { and, eq, or, sql } from 'drizzle-orm'
import type { Db } from '../../../db/client.js'
import { prepare } from '../../../db/prepared.js'
import { transact } from '../../../db/transact.js'
import { notFound } from '../../../errors.js'
import type { Bus } from '../../../realtime/bus.js'
import type { PublicUser } from '../../../protocol.js'
import { friendships } from '../schema.js'
import type { Conn } from './conn.js'
import { pushFriendsChanged } from './events.js'
import type { People } from './people.js'

export type Relationship =
  | { kind: 'self' }
  | { kind: 'friend' }
  | { kind: 'outgoing'; requestId: number }
  | { kind: 'incoming'; requestId: number }
  | { kind: 'none' }

export async function areFriendsIn(conn: Conn, userId: number, otherId: number): Promise<boolean> {
  const row = (await conn
    .select({ friendId: friendships.friendId })
    .from(friendships)
    .where(and(eq(friendships.userId, userId), eq(friendships.friendId, otherId))).limit(1))[0]
  return row !== undefined
}

/**
 * A user's friends, prepared once (outside transactions): presence reads them on a user's
 * first socket and after the last closes, so a mass reconnect or shutdown reads them for
 * every user; built per call, that read cost ~45 µs (bench/README.md).
 */
export function friendIdsQuery(db: Db): (userId: number) => Promise<number[]> {
  const query = prepare('social_friend_ids', db.select({ id: friendships.friendId }).from(friendships).where(eq(friendships.userId, sql.placeholder('userId'))))
  return async (userId) => (await query.execute({ userId })).map((r) => r.id)
}

export interface FriendshipsDeps {
  db: Db
  bus: Bus
  people: People
  isOnline(userId: number): boolean
  /** The pending request between two users, one direction, if any. */
  pendingRequestId(fromId: number, toId: number): Promise<number | undefined>
  /** friendIdsQuery(db), shared with presence (one prepared statement). */
  friendIds(userId: number): Promise<number[]>
}

export function createFriendships({ db, bus, people, isOnline, pendingRequestId, friendIds }: FriendshipsDeps) {
  const service = {
    areFriends: async (userId: number, otherId: number): Promise<boolean> => areFriendsIn(db, userId, otherId),

    friendIds,

    /** Friends by username, each with whether they are online. */
    async listFriends(userId: number): Promise<Array<PublicUser & { online: boolean }>> {
      return [...(await people.byIds(await friendIds(userId))).values()]
        .sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0))
        .map((user) => ({ ...user, online: isOnline(user.id) }))
    },

    async relationship(userId: number, otherId: number): Promise<Relationship> {
      if (userId === otherId) return { kind: 'self' }
      if (await areFriendsIn(db, userId, otherId)) return { kind: 'friend' }
      const mine = await pendingRequestId(userId, otherId)
      if (mine !== undefined) return { kind: 'outgoing', requestId: mine }
      const theirs = await pendingRequestId(otherId, userId)
      if (theirs !== undefined) return { kind: 'incoming', requestId: theirs }
      return { kind: 'none' }
    },

    /** People whose username matches, each with where they stand with this user. */
    async searchPeople(userId: number, q: string | undefined): Promise<Array<{ person: PublicUser; relationship: Relationship }>> {
      const query = (q ?? '').trim()
      if (!query) return []
      const found: Array<{ person: PublicUser; relationship: Relationship }> = []
      for (const person of await people.search(query, 20)) found.push({ person, relationship: await service.relationship(userId, person.id) })
      return found
    },

    /** One person and where they stand with this user; undefined for an unknown id. */
    async lookupPerson(userId: number, otherId: number): Promise<{ person: PublicUser; relationship: Relationship } | undefined> {
      const person = (await people.byIds([otherId])).get(otherId)
      return person && { person, relationship: await service.relationship(userId, otherId) }
    },

    async unfriend(userId: number, friendId: number): Promise<void> {
      await transact(db, bus, async (tx, outbox) => {
        const removed = (await tx
          .delete(friendships)
          .where(
            or(
              and(eq(friendships.userId, userId), eq(friendships.friendId, friendId)),
              and(eq(friendships.userId, friendId), eq(friendships.friendId, userId)),
            ),
          ).returning({ userId: friendships.userId })).length
        if (!removed) throw notFound(`You are not friends with user ${friendId}`)
        pushFriendsChanged(outbox, userId, 'removed', friendId)
        pushFriendsChanged(outbox, friendId, 'removed', userId)
      })
    },
  }
  return service
}
