/**
 * Direct messages: stored once per (sender, client_id) whichever path (socket or
 * HTTP) and however often they arrive, pushed to every socket of the members,
 * read page by page, counted as unread until the reader's mark passes them.
 */
import { and, asc, count, desc, eq, gt, inArray, lt, ne, sql, type Placeholder } from 'drizzle-orm'
import type { Db } from '../../../db/client.js'
import { violatesUnique } from '../../../db/dialect.js'
import { inListQuery, prepare } from '../../../db/prepared.js'
import { transact } from '../../../db/transact.js'
import { forbidden, invalid } from '../../../errors.js'
import type { Bus } from '../../../realtime/bus.js'
import { MAX_MESSAGE_LENGTH, normaliseMessage } from '../rules.js'
import { conversationMembers, conversations, messages, type MessageRow } from '../schema.js'
import type { Conn } from './conn.js'
import { findOrCreateDirect, markReadUpTo, membersFor } from './conversations.js'
import { pushFrame } from './events.js'
import { areFriendsIn } from './friendships.js'
import { messageViews, type MessageDTO } from './message-view.js'
import { findPerson, type People } from './people.js'

export const PAGE_SIZE = 30

export type MessageRecipient = { conversationId: number } | { recipientId: number }

export interface SentMessage {
  message: MessageDTO
  /** false: this client_id was stored before, `message` is that first one. */
  created: boolean
}

export interface PageOptions {
  before?: number
  after?: number
  limit?: number
}

/**
 * Unread messages of a member from others: conversation_members(user_id), then
 * messages(conversation_id, id > last read), so only the unread rows are walked.
 */
const unreadJoin = and(eq(messages.conversationId, conversationMembers.conversationId), gt(messages.id, conversationMembers.lastReadMessageId))
const fromOthers = ne(messages.senderId, conversationMembers.userId)

/** Unread messages of a user in all conversations. */
export function unreadMessagesQuery(db: Db) {
  return db
    .select({ n: count() })
    .from(conversationMembers)
    .innerJoin(messages, unreadJoin)
    .where(and(eq(conversationMembers.userId, sql.placeholder('userId')), fromOthers))
}

/** The same for many users (an inListQuery): one row per user that has any. */
export function unreadMessagesOfQuery(db: Db, list: Placeholder[]) {
  return db
    .select({ userId: conversationMembers.userId, n: count() })
    .from(conversationMembers)
    .innerJoin(messages, unreadJoin)
    .where(and(inArray(conversationMembers.userId, list), fromOthers))
    .groupBy(conversationMembers.userId)
}

async function messageByClient(conn: Conn, senderId: number, clientId: string): Promise<MessageRow | undefined> {
  return (await conn
    .select()
    .from(messages)
    .where(and(eq(messages.senderId, senderId), eq(messages.clientId, clientId))).limit(1))[0]
}

const isUniqueClientId = (err: unknown) => violatesUnique(err, { name: 'messages_sender_client_idx', sqliteColumns: 'messages.sender_id, messages.client_id' })

export function createMessages({ db, bus, people }: { db: Db; bus: Bus; people: People }) {
  // Every count_update and every socket's `initial` asks for it: built once.
  const unreadTotal = prepare('messages_unread_total', unreadMessagesQuery(db))
  const unreadTotals = inListQuery('messages_unread_totals', (list) => unreadMessagesOfQuery(db, list))
  const view = async (row: MessageRow) => (await messageViews(people, [row]))[0]!

  /** Inside the write: stores the message and collects its pushes. */
  async function store(senderId: number, to: MessageRecipient, text: string, clientId: string): Promise<SentMessage> {
    return transact(db, bus, async (tx, outbox): Promise<SentMessage> => {
      // Checked again inside the write lock: another process may have stored it meanwhile.
      const again = await messageByClient(tx, senderId, clientId)
      if (again) return { message: await view(again), created: false }
      let conversationId = 0
      let memberIds: number[]
      if ('conversationId' in to) {
        conversationId = to.conversationId
        memberIds = (await membersFor(tx, senderId, conversationId)).map((m) => m.userId)
      } else {
        if (to.recipientId === senderId) throw invalid('You cannot message yourself')
        await findPerson(people, to.recipientId)
        memberIds = [senderId, to.recipientId]
      }
      const others = memberIds.filter((id) => id !== senderId)
      if (!others.length) throw forbidden('You can only message friends')
      for (const id of others) if (!(await areFriendsIn(tx, senderId, id))) throw forbidden('You can only message friends')
      if (!conversationId) conversationId = await findOrCreateDirect(tx, senderId, others[0]!)
      const row = (await tx.insert(messages).values({ conversationId, senderId, clientId, content: text, createdAt: Date.now() }).returning())[0]
      await tx.update(conversations).set({ lastMessageId: row.id }).where(eq(conversations.id, conversationId))
      // Sending reads everything before it.
      await markReadUpTo(tx, senderId, conversationId, row.id)
      const message = await view(row)
      pushFrame(outbox, memberIds, { type: 'new_message', data: message })
      outbox.push({ type: 'counts', userIds: others })
      return { message, created: true }
    })
  }

  return {
    /**
     * Newest page of messages (oldest first), or the page before `before`; with
     * `after`, the messages that followed it (a page catching up after a reconnect).
     */
    async listMessages(userId: number, conversationId: number, opts: PageOptions = {}): Promise<{ messages: MessageDTO[]; hasMore: boolean }> {
      await membersFor(db, userId, conversationId)
      const limit = Math.min(Math.max(opts.limit ?? PAGE_SIZE, 1), 100)
      const inConversation = eq(messages.conversationId, conversationId)
      if (opts.after !== undefined) {
        const rows = await db
          .select()
          .from(messages)
          .where(and(inConversation, gt(messages.id, opts.after)))
          .orderBy(asc(messages.id))
          .limit(limit + 1)
        return { messages: await messageViews(people, rows.slice(0, limit)), hasMore: rows.length > limit }
      }
      const rows = await db
        .select()
        .from(messages)
        .where(and(inConversation, opts.before === undefined ? undefined : lt(messages.id, opts.before)))
        .orderBy(desc(messages.id))
        .limit(limit + 1)
      return { messages: await messageViews(people, rows.slice(0, limit).reverse()), hasMore: rows.length > limit }
    },

    /**
     * Stores a message once per (sender, client_id): a repeat returns the first
     * message with `created: false` and pushes nothing.
     */
    async sendMessage(senderId: number, to: MessageRecipient, content: string, clientId: string): Promise<SentMessage> {
      if (clientId.length < 1 || clientId.length > 64) throw invalid('client_id must be 1 to 64 characters')
      const first = await messageByClient(db, senderId, clientId)
      if (first) return { message: await view(first), created: false }
      const text = normaliseMessage(content)
      if (text === null) throw invalid(`A message has 1 to ${MAX_MESSAGE_LENGTH} characters`)
      try {
        return await store(senderId, to, text, clientId)
      } catch (err) {
        // Two processes raced on the same client_id: the loser answers with the winner's row.
        const winner = isUniqueClientId(err) ? await messageByClient(db, senderId, clientId) : undefined
        if (winner) return { message: await view(winner), created: false }
        throw err
      }
    },

    /** For the notifications counts: unread messages from others, in all conversations. */
    async unreadMessagesCount(userId: number): Promise<number> {
      return (await unreadTotal.execute({ userId }))[0]?.n ?? 0
    },

    /** unreadMessagesCount of many users (a fan-out's slice); users with none are left out. */
    async unreadMessagesCounts(userIds: readonly number[]): Promise<Map<number, number>> {
      return new Map((await unreadTotals.run(userIds)).map((r) => [r.userId, r.n]))
    },
  }
}

export type MessagesService = ReturnType<typeof createMessages>
