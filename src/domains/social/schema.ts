import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from '../accounts/schema.js'

/**
 * A friend request and what became of it. Only one request per direction may be
 * pending (partial unique index); a request towards someone who already asked you
 * accepts theirs instead (service/friend-requests.ts).
 */
export const friendRequests = sqliteTable(
  'friend_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    fromUserId: integer('from_user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    toUserId: integer('to_user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** 'pending' | 'accepted' | 'declined' | 'cancelled' */
    status: text('status').notNull().default('pending'),
    createdAt: integer('created_at').notNull(),
    respondedAt: integer('responded_at'),
  },
  (t) => [
    uniqueIndex('friend_requests_pending_pair_idx').on(t.fromUserId, t.toUserId).where(sql`status = 'pending'`),
    index('friend_requests_incoming_idx').on(t.toUserId).where(sql`status = 'pending'`),
    index('friend_requests_outgoing_idx').on(t.fromUserId).where(sql`status = 'pending'`),
  ],
)

/** Two rows per friendship (a->b and b->a), so "friends of X" is one index range. */
export const friendships = sqliteTable(
  'friendships',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    friendId: integer('friend_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.friendId] })],
)

export const conversations = sqliteTable(
  'conversations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** `<low user id>:<high user id>` for a two-person conversation: one per pair. */
    directKey: text('direct_key').unique(),
    createdAt: integer('created_at').notNull(),
    lastMessageId: integer('last_message_id'),
  },
)

export const conversationMembers = sqliteTable(
  'conversation_members',
  {
    conversationId: integer('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Messages with a larger id (from others) are unread for this member. */
    lastReadMessageId: integer('last_read_message_id').notNull().default(0),
    joinedAt: integer('joined_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] }), index('conversation_members_user_idx').on(t.userId, t.conversationId)],
)

export const messages = sqliteTable(
  'messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    conversationId: integer('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    senderId: integer('sender_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Chosen by the sending client: a retried send (socket or HTTP) is stored once. */
    clientId: text('client_id').notNull(),
    content: text('content').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('messages_sender_client_idx').on(t.senderId, t.clientId),
    // Paging a conversation and counting its unread messages.
    index('messages_conversation_idx').on(t.conversationId, t.id),
  ],
)

export type FriendRequestRow = typeof friendRequests.$inferSelect
export type MessageRow = typeof messages.$inferSelect
