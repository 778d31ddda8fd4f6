/**
 * Conversations: one per pair of friends, found or created on first use; who is
 * in one, what each member has read, and the list of a user's conversations.
 */
import { and, count, desc, eq, gt, inArray, lt, ne, sql } from 'drizzle-orm'
import type { Db } from '../../../db/client.js'
import { aliasOf } from '../../../db/dialect.js'
import { lockKey, transact, type Tx } from '../../../db/transact.js'
import { forbidden, invalid, notFound } from '../../../errors.js'
import type { Bus } from '../../../realtime/bus.js'
import type { PublicUser } from '../../../protocol.js'
import { directKey } from '../rules.js'
import { conversationMembers, conversations, messages } from '../schema.js'
import type { Conn } from './conn.js'
import { pushFrame, socialFrame } from './events.js'
import { areFriendsIn } from './friendships.js'
import { messageViews, type MessageDTO } from './message-view.js'
import { findPerson, type People } from './people.js'

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

interface Member {
  userId: number
  lastReadMessageId: number
}

async function membersIn(conn: Conn, conversationId: number): Promise<Member[]> {
  return await conn
    .select({ userId: conversationMembers.userId, lastReadMessageId: conversationMembers.lastReadMessageId })
    .from(conversationMembers)
    .where(eq(conversationMembers.conversationId, conversationId))
}

/** The members of a conversation; throws unless `userId` is one of them. */
export async function membersFor(conn: Conn, userId: number, conversationId: number): Promise<Member[]> {
  const members = await membersIn(conn, conversationId)
  if (!members.length) throw notFound(`There is no conversation ${conversationId}`)
  if (!members.some((m) => m.userId === userId)) throw forbidden('You are not in this conversation')
  return members
}

/** The two-person conversation of this pair, created on first use. */
export async function findOrCreateDirect(tx: Tx, a: number, b: number): Promise<number> {
  const key = directKey(a, b)
  await lockKey(tx, `direct:${key}`)
  const found = (await tx.select({ id: conversations.id }).from(conversations).where(eq(conversations.directKey, key)).limit(1))[0]
  if (found) return found.id
  const now = Date.now()
  const id = (await tx.insert(conversations).values({ directKey: key, createdAt: now }).returning({ id: conversations.id }))[0].id
  await tx.insert(conversationMembers)
    .values([
      { conversationId: id, userId: a, joinedAt: now },
      { conversationId: id, userId: b, joinedAt: now },
    ])
    .onConflictDoNothing()
  return id
}

export async function latestMessageIn(conn: Conn, conversationId: number): Promise<{ id: number; senderId: number } | undefined> {
  return (await conn
    .select({ id: messages.id, senderId: messages.senderId })
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(desc(messages.id))
    .limit(1))[0]
}

/** Moves a member's read mark forward to `messageId`; false when it was there already. */
export async function markReadUpTo(tx: Tx, userId: number, conversationId: number, messageId: number): Promise<boolean> {
  return (
    (await tx
      .update(conversationMembers)
      .set({ lastReadMessageId: messageId })
      .where(
        and(
          eq(conversationMembers.conversationId, conversationId),
          eq(conversationMembers.userId, userId),
          lt(conversationMembers.lastReadMessageId, messageId),
        ),
      ).returning({ userId: conversationMembers.userId })).length > 0
  )
}


export function createConversations({ db, bus, people }: { db: Db; bus: Bus; people: People }) {
  /** A user's conversations (or the one given), most recent message first. */
  async function summaries(userId: number, only?: number): Promise<ConversationSummary[]> {
    const others = aliasOf(db, conversationMembers, 'other_member')
    const rows = await db
      .select({ id: conversations.id, lastMessageId: conversations.lastMessageId, otherId: others.userId })
      .from(conversationMembers)
      .innerJoin(conversations, eq(conversations.id, conversationMembers.conversationId))
      .innerJoin(others, and(eq(others.conversationId, conversations.id), ne(others.userId, conversationMembers.userId)))
      .where(and(eq(conversationMembers.userId, userId), only === undefined ? undefined : eq(conversations.id, only)))
      .orderBy(desc(sql`coalesce(${conversations.lastMessageId}, 0)`), desc(conversations.id))
      .limit(100)
    if (!rows.length) return []
    const ids = rows.map((r) => r.id)
    const unread = new Map(
      (await db
        .select({ conversationId: messages.conversationId, n: count() })
        .from(conversationMembers)
        .innerJoin(
          messages,
          and(eq(messages.conversationId, conversationMembers.conversationId), gt(messages.id, conversationMembers.lastReadMessageId)),
        )
        .where(and(eq(conversationMembers.userId, userId), inArray(conversationMembers.conversationId, ids), ne(messages.senderId, userId)))
        .groupBy(messages.conversationId))
        .map((r) => [r.conversationId, r.n]),
    )
    const lastIds = rows.flatMap((r) => (r.lastMessageId ? [r.lastMessageId] : []))
    const lastMessages = new Map(
      (await messageViews(people, lastIds.length ? await db.select().from(messages).where(inArray(messages.id, lastIds)) : [])).map((m) => [m.id, m]),
    )
    const users = await people.byIds(rows.map((r) => r.otherId))
    return rows.flatMap((r) => {
      const other = users.get(r.otherId)
      if (!other) return []
      const last = r.lastMessageId ? lastMessages.get(r.lastMessageId) ?? null : null
      return [{ id: r.id, other, last_message: last, unread_count: unread.get(r.id) ?? 0 }]
    })
  }

  return {
    /** The two-person conversation of these friends, created on first use. */
    async startConversation(userId: number, otherId: number): Promise<number> {
      if (userId === otherId) throw invalid('You cannot message yourself')
      const other = await findPerson(people, otherId)
      if (!await areFriendsIn(db, userId, otherId)) throw forbidden(`You can only message friends; send @${other.username} a friend request first`)
      return transact(db, bus, async (tx) => findOrCreateDirect(tx, userId, otherId))
    },

    async isParticipant(userId: number, conversationId: number): Promise<boolean> {
      return (await membersIn(db, conversationId)).some((m) => m.userId === userId)
    },

    /** Member ids of a conversation; throws unless `userId` is one of them. */
    async participantsFor(userId: number, conversationId: number): Promise<number[]> {
      return (await membersFor(db, userId, conversationId)).map((m) => m.userId)
    },

    async conversation(userId: number, conversationId: number): Promise<ConversationView> {
      const members = await membersFor(db, userId, conversationId)
      const other = members.find((m) => m.userId !== userId) ?? members[0]!
      return {
        id: conversationId,
        other: await findPerson(people, other.userId),
        otherLastRead: other.lastReadMessageId,
        canSend: await areFriendsIn(db, userId, other.userId),
      }
    },

    async listConversations(userId: number): Promise<ConversationSummary[]> {
      return summaries(userId)
    },

    async conversationSummary(userId: number, conversationId: number): Promise<ConversationSummary | undefined> {
      return (await summaries(userId, conversationId))[0]
    },

    /**
     * Marks every message of the conversation read for this member. When that
     * changed anything: count_update on all the reader's sockets and a
     * `messages_read` event to the members (the sender shows "Seen").
     */
    async markConversationRead(userId: number, conversationId: number): Promise<boolean> {
      return transact(db, bus, async (tx, outbox) => {
        const memberIds = (await membersFor(tx, userId, conversationId)).map((m) => m.userId)
        const latest = await latestMessageIn(tx, conversationId)
        if (!latest || !await markReadUpTo(tx, userId, conversationId, latest.id)) return false
        outbox.push({ type: 'counts', userIds: [userId] })
        const data = { conversation_id: conversationId, user_id: userId, last_read_message_id: latest.id }
        pushFrame(outbox, memberIds, socialFrame({ event: 'messages_read', data }))
        return true
      })
    },

    /** Is the conversation's last message this user's, and read by the others? */
    async seenByOthers(userId: number, conversationId: number): Promise<boolean> {
      const latest = await latestMessageIn(db, conversationId)
      if (!latest || latest.senderId !== userId) return false
      const rest = (await membersIn(db, conversationId)).filter((m) => m.userId !== userId)
      return rest.length > 0 && rest.every((m) => m.lastReadMessageId >= latest.id)
    },
  }
}

export type ConversationsService = ReturnType<typeof createConversations>
