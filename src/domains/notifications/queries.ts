/**
 * The notification queries that run once per socket or per pushed row (the
 * `initial` snapshot, counts for every recipient of a fan-out, inserts), prepared
 * once: building a drizzle query on each call cost ~10x running it (bench/README.md).
 * Prepared statements run on the one connection, so inside the caller's open
 * transaction when there is one.
 */
import { and, count, desc, eq, gt, gte, inArray, isNull, lt, lte, max, min, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { aliasOf } from '../../db/dialect.js'
import { inListQuery, prepare } from '../../db/prepared.js'
import type { NotificationDTO, NotificationKind } from '../../protocol.js'
import { actionsOf } from './actions.js'
import { categoryOf } from './inbox-rules.js'
import { users } from '../accounts/schema.js'
import { notifications, type NotificationRow } from './schema.js'

export const REPLAY_LIMIT = 200

const p = (name: string) => sql.placeholder(name)

export type WithActor = { n: NotificationRow; actor: { id: number; username: string } | null }

export function toDTO({ n, actor }: WithActor): NotificationDTO {
  return {
    id: n.id,
    kind: n.kind as NotificationKind,
    title: n.title,
    message: n.message,
    link_url: n.linkUrl,
    link_text: n.linkText,
    icon: n.icon,
    actor: actor && actor.id !== null ? { id: actor.id, username: actor.username } : null,
    created_at: new Date(n.createdAt).toISOString(),
    read: n.readAt !== null,
    category: categoryOf(n.kind as NotificationKind),
    thread: n.thread,
    archived: n.archivedAt !== null,
    snoozed_until: n.snoozedUntil === null ? null : new Date(n.snoozedUntil).toISOString(),
    actions: actionsOf(n.kind as NotificationKind, n.thread),
  }
}

export function selectWithActor(db: Db) {
  const actors = aliasOf(db, users, 'actor')
  return db
    .select({ n: notifications, actor: { id: actors.id, username: actors.username } })
    .from(notifications)
    .leftJoin(actors, eq(actors.id, notifications.actorId))
}

export function prepareQueries(db: Db) {
  const listed = (name: string, where: ReturnType<typeof and>, order: 'newest' | 'oldest', limit: number | ReturnType<typeof p>) =>
    prepare(
      name,
      selectWithActor(db)
        .where(where)
        .orderBy(order === 'newest' ? desc(notifications.id) : notifications.id)
        .limit(limit),
    )
  const mine = eq(notifications.userId, p('userId'))
  const unread = isNull(notifications.readAt)
  const before = lt(notifications.id, p('before'))
  // The inbox: neither done nor snoozed.
  const inInbox = and(mine, isNull(notifications.archivedAt), isNull(notifications.snoozedUntil))
  return {
    countUnread: prepare('notifications_countUnread', db.select({ n: count() }).from(notifications).where(and(mine, unread))),
    /** countUnread of many users (an inListQuery), one row per user that has any. */
    countUnreadOf: inListQuery('notifications_countUnreadOf', (list) =>
      db
        .select({ userId: notifications.userId, n: count() })
        .from(notifications)
        .where(and(inArray(notifications.userId, list), unread))
        .groupBy(notifications.userId),
    ),
    /** Unread rows by kind (snoozed and archived rows are read): summed into categories. */
    unreadByKind: prepare(
      'notifications_unreadByKind',
      db
        .select({ kind: notifications.kind, n: count() })
        .from(notifications)
        .where(and(mine, unread))
        .groupBy(notifications.kind),
    ),
    lastId: prepare('notifications_lastId', db.select({ id: max(notifications.id) }).from(notifications).where(mine)),
    /** By unread-only and paging: four shapes, each prepared once. */
    list: {
      all: listed('notifications_list_all', inInbox, 'newest', p('limit')),
      unread: listed('notifications_list_unread', and(inInbox, unread), 'newest', p('limit')),
      allBefore: listed('notifications_list_allBefore', and(inInbox, before), 'newest', p('limit')),
      unreadBefore: listed('notifications_list_unreadBefore', and(inInbox, unread, before), 'newest', p('limit')),
    },
    one: prepare('notifications_one', selectWithActor(db).where(and(eq(notifications.id, p('id')), mine))),
    since: listed('notifications_since', and(mine, gt(notifications.id, p('after'))), 'oldest', REPLAY_LIMIT + 1),
    rowIdInRange: prepare(
      'notifications_rowIdInRange',
      db
        .select({ id: notifications.id })
        .from(notifications)
        .where(and(mine, gte(notifications.id, p('from')), lte(notifications.id, p('to'))))
        .orderBy(notifications.id)
        .limit(1),
    ),
    /** rowIdInRange of many users (an inListQuery), one row per user that has any. */
    rowIdsInRange: inListQuery('notifications_rowIdsInRange', (list) =>
      db
        .select({ userId: notifications.userId, id: min(notifications.id) })
        .from(notifications)
        .where(and(inArray(notifications.userId, list), gte(notifications.id, p('from')), lte(notifications.id, p('to'))))
        .groupBy(notifications.userId),
    ),
    ownerOf: prepare('notifications_ownerOf', db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.id, p('id')))),
    actorName: prepare('notifications_actorName', db.select({ username: users.username }).from(users).where(eq(users.id, p('id')))),
    insert: prepare(
      'notifications_insert',
      db
        .insert(notifications)
        .values({
          userId: p('userId'),
          kind: p('kind'),
          title: p('title'),
          message: p('message'),
          linkUrl: p('linkUrl'),
          linkText: p('linkText'),
          icon: p('icon'),
          actorId: p('actorId'),
          groupKey: p('groupKey'),
          createdAt: p('createdAt'),
          thread: p('thread'),
        })
        .returning({ id: notifications.id }),
    ),
  }
}

export type Queries = ReturnType<typeof prepareQueries>
