/**
 * The notification queries that run once per socket or per pushed row (the
 * `initial` snapshot, counts for every recipient of a fan-out, inserts), prepared
 * once: building a drizzle query on each call cost ~10x running it (bench/README.md).
 * Prepared statements run on the one connection, so inside the caller's open
 * transaction when there is one.
 */
import { and, count, desc, eq, gt, gte, isNull, lt, lte, max, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/client.js'
import type { NotificationDTO, NotificationKind } from '../../protocol.js'
import { actionsOf } from './actions.js'
import { categoryOf } from './inbox-rules.js'
import { users } from '../accounts/schema.js'
import { notifications, type NotificationRow } from './schema.js'

export const REPLAY_LIMIT = 200

const actors = alias(users, 'actor')
const p = (name: string) => sql.placeholder(name)

export const withActor = { n: notifications, actor: { id: actors.id, username: actors.username } }
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
  return db.select(withActor).from(notifications).leftJoin(actors, eq(actors.id, notifications.actorId))
}

export function prepareQueries(db: Db) {
  const listed = (where: ReturnType<typeof and>, order: 'newest' | 'oldest', limit: number | ReturnType<typeof p>) =>
    selectWithActor(db)
      .where(where)
      .orderBy(order === 'newest' ? desc(notifications.id) : notifications.id)
      .limit(limit)
      .prepare()
  const mine = eq(notifications.userId, p('userId'))
  const unread = isNull(notifications.readAt)
  const before = lt(notifications.id, p('before'))
  // The inbox: neither done nor snoozed.
  const inInbox = and(mine, isNull(notifications.archivedAt), isNull(notifications.snoozedUntil))
  return {
    countUnread: db.select({ n: count() }).from(notifications).where(and(mine, unread)).prepare(),
    /** Unread rows by kind (snoozed and archived rows are read): summed into categories. */
    unreadByKind: db
      .select({ kind: notifications.kind, n: count() })
      .from(notifications)
      .where(and(mine, unread))
      .groupBy(notifications.kind)
      .prepare(),
    lastId: db.select({ id: max(notifications.id) }).from(notifications).where(mine).prepare(),
    /** By unread-only and paging: four shapes, each prepared once. */
    list: {
      all: listed(inInbox, 'newest', p('limit')),
      unread: listed(and(inInbox, unread), 'newest', p('limit')),
      allBefore: listed(and(inInbox, before), 'newest', p('limit')),
      unreadBefore: listed(and(inInbox, unread, before), 'newest', p('limit')),
    },
    one: selectWithActor(db).where(and(eq(notifications.id, p('id')), mine)).prepare(),
    since: listed(and(mine, gt(notifications.id, p('after'))), 'oldest', REPLAY_LIMIT + 1),
    rowIdInRange: db
      .select({ id: notifications.id })
      .from(notifications)
      .where(and(mine, gte(notifications.id, p('from')), lte(notifications.id, p('to'))))
      .orderBy(notifications.id)
      .limit(1)
      .prepare(),
    rowsInRange: db
      .select({ userId: notifications.userId, id: notifications.id })
      .from(notifications)
      .where(and(gte(notifications.id, p('from')), lte(notifications.id, p('to'))))
      .prepare(),
    ownerOf: db.select({ userId: notifications.userId }).from(notifications).where(eq(notifications.id, p('id'))).prepare(),
    actorName: db.select({ username: users.username }).from(users).where(eq(users.id, p('id'))).prepare(),
    insert: db
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
      .returning({ id: notifications.id })
      .prepare(),
  }
}

export type Queries = ReturnType<typeof prepareQueries>
