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

/**
 * A LIMIT written into the statement (`limit 10`) instead of bound (`limit ?`, what
 * drizzle makes of a number): SQLite ran the inbox list ~2x slower with its limit bound,
 * the same plan otherwise (bench/README.md). Only for a whole number the code chose.
 */
function literalLimit(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`a literal limit must be a whole number, not ${n}`)
  return sql.raw(String(n)) as unknown as number
}

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
  const listed = (name: string, where: ReturnType<typeof and>, order: 'newest' | 'oldest', limit: number) =>
    prepare(
      name,
      selectWithActor(db)
        .where(where)
        .orderBy(order === 'newest' ? desc(notifications.id) : notifications.id)
        .limit(literalLimit(limit)),
    )
  /** A newest-first list, prepared per page size on its first use (the service allows 1-100). */
  const paged = (name: string, where: ReturnType<typeof and>) => {
    const bySize = new Map<number, ReturnType<typeof listed>>()
    return {
      execute(params: { userId: number; limit: number; before?: number }) {
        let stmt = bySize.get(params.limit)
        if (!stmt) bySize.set(params.limit, (stmt = listed(`${name}_${params.limit}`, where, 'newest', params.limit)))
        return stmt.execute(params)
      },
    }
  }
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
    /** By unread-only and paging: four shapes, each prepared once per page size. */
    list: {
      all: paged('notifications_list_all', inInbox),
      unread: paged('notifications_list_unread', and(inInbox, unread)),
      allBefore: paged('notifications_list_allBefore', and(inInbox, before)),
      unreadBefore: paged('notifications_list_unreadBefore', and(inInbox, unread, before)),
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
        .limit(literalLimit(1)),
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
