/** PostgreSQL mirror of schema.ts (see accounts/schema.pg.ts); booleans are boolean, so `inbox = 0` is `inbox = false`. */
import { sql } from 'drizzle-orm'
import { bigint, boolean, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core'
import { users } from '../accounts/schema.pg.js'

export const notifications = pgTable(
  'notifications',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
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
    groupKey: text('group_key'),
    readAt: bigint('read_at', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    thread: text('thread'),
    archivedAt: bigint('archived_at', { mode: 'number' }),
    snoozedUntil: bigint('snoozed_until', { mode: 'number' }),
  },
  (t) => [
    index('notifications_user_id_idx').on(t.userId, t.id),
    index('notifications_unread_idx').on(t.userId).where(sql`read_at IS NULL`),
    index('notifications_archived_idx').on(t.userId, t.id).where(sql`archived_at IS NOT NULL`),
    index('notifications_snoozed_idx').on(t.userId, t.id).where(sql`snoozed_until IS NOT NULL`),
    index('notifications_snooze_due_idx').on(t.snoozedUntil).where(sql`snoozed_until IS NOT NULL`),
    index('notifications_group_idx').on(t.userId, t.groupKey).where(sql`group_key IS NOT NULL AND read_at IS NULL`),
  ],
)

export const notificationIdempotencyKeys = pgTable(
  'notification_idempotency_keys',
  {
    callerId: integer('caller_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    bodyHash: text('body_hash').notNull(),
    answer: text('answer').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.callerId, t.key] }), index('notification_idempotency_keys_created_idx').on(t.createdAt)],
)

export const notificationChannels = pgTable(
  'notification_channels',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    inbox: boolean('inbox').notNull(),
    toast: boolean('toast').notNull(),
    desktop: boolean('desktop').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] }), index('notification_channels_kind_idx').on(t.kind, t.userId).where(sql`inbox = false`)],
)

export const notificationSettings = pgTable(
  'notification_settings',
  {
    userId: integer('user_id')
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    quietStart: text('quiet_start'),
    quietEnd: text('quiet_end'),
    timeZone: text('time_zone'),
    selfCaused: boolean('self_caused').notNull().default(true),
    awayCount: integer('away_count').notNull().default(0),
    awayUntil: bigint('away_until', { mode: 'number' }),
  },
  (t) => [index('notification_settings_away_idx').on(t.awayUntil).where(sql`away_until IS NOT NULL`)],
)

export const notificationMutes = pgTable(
  'notification_mutes',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    thread: text('thread').notNull(),
    until: bigint('until', { mode: 'number' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.thread] }), index('notification_mutes_thread_idx').on(t.thread, t.userId)],
)
