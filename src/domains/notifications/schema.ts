import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from '../accounts/schema.js'

export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    message: text('message').notNull().default(''),
    linkUrl: text('link_url'),
    linkText: text('link_text'),
    icon: text('icon'),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    /**
     * Optional key that lets a domain update one unread notification instead of
     * adding another (e.g. `like:post:4`); see notifications/service.ts.
     */
    groupKey: text('group_key'),
    readAt: integer('read_at'),
    createdAt: integer('created_at').notNull(),
    /** What it is about (`post:4`, `invoice:9`, `conversation:3`, `user:2`); mutes name one. */
    thread: text('thread'),
    /** Done: out of the inbox (and read) until unarchived. */
    archivedAt: integer('archived_at'),
    /** Hidden (and read) until then; the wake-up clears it and makes the row unread once. */
    snoozedUntil: integer('snoozed_until'),
  },
  (t) => [
    // Listing, paging and `since=` replay: newest-first per user.
    index('notifications_user_id_idx').on(t.userId, t.id),
    // The unread count only touches this user's unread rows.
    index('notifications_unread_idx').on(t.userId).where(sql`read_at IS NULL`),
    index('notifications_archived_idx').on(t.userId, t.id).where(sql`archived_at IS NOT NULL`),
    index('notifications_snoozed_idx').on(t.userId, t.id).where(sql`snoozed_until IS NOT NULL`),
    // The wake-up finds due rows of every user.
    index('notifications_snooze_due_idx').on(t.snoozedUntil).where(sql`snoozed_until IS NOT NULL`),
    index('notifications_group_idx').on(t.userId, t.groupKey).where(sql`group_key IS NOT NULL AND read_at IS NULL`),
  ],
)

export type NotificationRow = typeof notifications.$inferSelect

/** Idempotency-Key of POST /api/notifications: the first answer per caller and key, kept 24 h. */
export const notificationIdempotencyKeys = sqliteTable(
  'notification_idempotency_keys',
  {
    callerId: integer('caller_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    bodyHash: text('body_hash').notNull(),
    /** The JSON answer given the first time. */
    answer: text('answer').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.callerId, t.key] }), index('notification_idempotency_keys_created_idx').on(t.createdAt)],
)

/** Per user and kind: where its notifications show (absent: everywhere). */
export const notificationChannels = sqliteTable(
  'notification_channels',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    inbox: integer('inbox', { mode: 'boolean' }).notNull(),
    toast: integer('toast', { mode: 'boolean' }).notNull(),
    desktop: integer('desktop', { mode: 'boolean' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] }), index('notification_channels_kind_idx').on(t.kind, t.userId).where(sql`inbox = 0`)],
)

/** Per user: quiet hours, self-caused notifications, and what arrived during the current quiet hours. */
export const notificationSettings = sqliteTable(
  'notification_settings',
  {
    userId: integer('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    quietStart: text('quiet_start'),
    quietEnd: text('quiet_end'),
    timeZone: text('time_zone'),
    selfCaused: integer('self_caused', { mode: 'boolean' }).notNull().default(true),
    /** Notifications that arrived during quiet hours, summed up in one frame when they end (awayUntil). */
    awayCount: integer('away_count').notNull().default(0),
    awayUntil: integer('away_until'),
  },
  (t) => [index('notification_settings_away_idx').on(t.awayUntil).where(sql`away_until IS NOT NULL`)],
)

/** A muted thread creates no notifications for its user until `until` (null: until unmuted). */
export const notificationMutes = sqliteTable(
  'notification_mutes',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    thread: text('thread').notNull(),
    until: integer('until'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.thread] }), index('notification_mutes_thread_idx').on(t.thread, t.userId)],
)
