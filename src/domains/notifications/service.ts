import { and, eq, isNull, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import type { Statement } from 'better-sqlite3'
import type { Db } from '../../db/client.js'
import { transact, type Outbox, type Tx } from '../../db/transact.js'
import type { Bus, NotificationTemplate } from '../../realtime/bus.js'
import type { Counts, NotificationDTO, NotificationKind } from '../../protocol.js'
import { users } from '../accounts/schema.js'
import { notifications, type NotificationRow } from './schema.js'

export interface NotificationInput {
  kind: NotificationKind
  title: string
  message?: string
  linkUrl?: string | null
  linkText?: string | null
  icon?: string | null
  actorId?: number | null
}

export type Recipients = { userIds: number[] } | { all: true }

const actors = alias(users, 'actor')

const DEFAULT_ICONS: Record<NotificationKind, string> = {
  comment: 'comment',
  like: 'like',
  friend_request: 'user-plus',
  friend_accepted: 'user-check',
  new_message: 'message',
  invoice_created: 'invoice',
  invoice_paid: 'paid',
  invoice_overdue: 'alert',
  system: 'bell',
}

export const REPLAY_LIMIT = 200
export const RECENT_LIMIT = 10

export function toDTO(row: NotificationRow, actor: { id: number; username: string } | null): NotificationDTO {
  return {
    id: row.id,
    kind: row.kind as NotificationKind,
    title: row.title,
    message: row.message,
    link_url: row.linkUrl,
    link_text: row.linkText,
    icon: row.icon,
    actor: actor && actor.id !== null ? { id: actor.id, username: actor.username } : null,
    created_at: new Date(row.createdAt).toISOString(),
    read: row.readAt !== null,
  }
}

interface ListRow {
  id: number
  kind: string
  title: string
  message: string
  link_url: string | null
  link_text: string | null
  icon: string | null
  read_at: number | null
  created_at: number
  actor_id: number | null
  actor_username: string | null
}

function listRowToDTO(r: ListRow): NotificationDTO {
  return {
    id: r.id,
    kind: r.kind as NotificationKind,
    title: r.title,
    message: r.message,
    link_url: r.link_url,
    link_text: r.link_text,
    icon: r.icon,
    actor: r.actor_id !== null ? { id: r.actor_id, username: r.actor_username! } : null,
    created_at: new Date(r.created_at).toISOString(),
    read: r.read_at !== null,
  }
}

export function createNotificationService({ db, bus }: { db: Db; bus: Bus }) {
  const sqlite = db.$client
  const countUnread = sqlite.prepare('SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL').pluck()
  const lastIdOf = sqlite.prepare('SELECT coalesce(max(id), 0) FROM notifications WHERE user_id = ?').pluck()
  const rowIdInRange = sqlite
    .prepare('SELECT id FROM notifications WHERE user_id = ? AND id BETWEEN ? AND ? ORDER BY id LIMIT 1')
    .pluck()
  const rowsInRange = sqlite.prepare('SELECT user_id, id FROM notifications WHERE id BETWEEN ? AND ?').raw()
  // Prepared once: drizzle's builder costs ~0.2 ms per insert, this ~0.01 ms (bench/README.md).
  const insertRow = sqlite
    .prepare(
      `INSERT INTO notifications (user_id, kind, title, message, link_url, link_text, icon, actor_id, group_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    )
    .pluck()
  /** user id -> row id of the last broadcast the hub asked about (one scan, not one query per user). */
  let broadcastRows: { fromId: number; toId: number; byUser: Map<number, number> } | null = null
  const ownerOf = sqlite.prepare('SELECT user_id FROM notifications WHERE id = ?').pluck()
  const actorName = sqlite.prepare('SELECT username FROM users WHERE id = ?').pluck()

  /** Other domains add to the counts (social: unread direct messages). */
  let unreadMessages: (userId: number) => number = () => 0

  function selectWithActor() {
    return db
      .select({ n: notifications, actor: { id: actors.id, username: actors.username } })
      .from(notifications)
      .leftJoin(actors, eq(actors.id, notifications.actorId))
  }

  function template(input: NotificationInput, createdAt: number): NotificationTemplate {
    const actorId = input.actorId ?? null
    const username = actorId === null ? undefined : (actorName.get(actorId) as string | undefined)
    return {
      kind: input.kind,
      title: input.title,
      message: input.message ?? '',
      link_url: input.linkUrl ?? null,
      link_text: input.linkText ?? null,
      icon: input.icon ?? DEFAULT_ICONS[input.kind],
      actor: actorId !== null && username !== undefined ? { id: actorId, username } : null,
      created_at: new Date(createdAt).toISOString(),
    }
  }

  function rowValues(input: NotificationInput, createdAt: number) {
    return {
      kind: input.kind,
      title: input.title,
      message: input.message ?? '',
      linkUrl: input.linkUrl ?? null,
      linkText: input.linkText ?? null,
      icon: input.icon ?? DEFAULT_ICONS[input.kind],
      actorId: input.actorId ?? null,
      createdAt,
    }
  }

  // Prepared once per shape, plain SQL: every socket's `initial` lists the newest
  // 10, and building the query through drizzle each time cost ~10x running it
  // (bench/README.md). Same columns and order as toDTO.
  const LIST_SQL = `SELECT n.id, n.kind, n.title, n.message, n.link_url, n.link_text, n.icon, n.read_at, n.created_at,
      a.id AS actor_id, a.username AS actor_username
    FROM notifications n LEFT JOIN users a ON a.id = n.actor_id WHERE n.user_id = ?`
  const listQueries = new Map<string, Statement>()
  function listQuery(unread: boolean, before: boolean): Statement {
    const key = `${unread}:${before}`
    let q = listQueries.get(key)
    if (!q) {
      const where = `${unread ? ' AND n.read_at IS NULL' : ''}${before ? ' AND n.id < ?' : ''}`
      listQueries.set(key, (q = sqlite.prepare(`${LIST_SQL}${where} ORDER BY n.id DESC LIMIT ?`)))
    }
    return q
  }
  const sinceQuery = sqlite.prepare(`${LIST_SQL} AND n.id > ? ORDER BY n.id LIMIT ${REPLAY_LIMIT + 1}`)

  const service = {
    setUnreadMessagesCounter(fn: (userId: number) => number) {
      unreadMessages = fn
    },

    counts(userId: number): Counts {
      return { unread_count: countUnread.get(userId) as number, unread_messages_count: unreadMessages(userId) }
    },

    /**
     * Inside the caller's transaction: one row per user (one multi-row insert);
     * the push is queued in the outbox and goes out after commit.
     */
    createIn(tx: Tx, outbox: Outbox, userIds: number[], input: NotificationInput, groupKey?: string): NotificationRow[] {
      if (userIds.length === 0) return []
      const createdAt = Date.now()
      const base = rowValues(input, createdAt)
      // `tx` is this connection's open transaction: the prepared statement runs inside it.
      const g = groupKey ?? null
      const rows: NotificationRow[] = userIds.map((userId) => {
        const id = insertRow.get(userId, base.kind, base.title, base.message, base.linkUrl, base.linkText, base.icon, base.actorId, g, createdAt) as number
        return { id, userId, ...base, groupKey: g, readAt: null }
      })
      outbox.push({ type: 'notify', template: template(input, createdAt), recipients: rows.map((r) => [r.userId, r.id]) })
      return rows
    },

    /**
     * Rewrites an existing notification (grouping: "bob and 3 others liked ...")
     * and pushes it again under the same id.
     */
    updateIn(tx: Tx, outbox: Outbox, id: number, input: NotificationInput): NotificationRow | undefined {
      const createdAt = Date.now()
      const row = tx
        .update(notifications)
        .set(rowValues(input, createdAt))
        .where(eq(notifications.id, id))
        .returning()
        .get()
      if (row) outbox.push({ type: 'notify', template: template(input, createdAt), recipients: [[row.userId, row.id]], updated: true })
      return row
    },

    /** The unread notification of this user with this group key, if any. */
    findUnreadGroup(tx: Tx, userId: number, groupKey: string): NotificationRow | undefined {
      return tx
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.groupKey, groupKey), isNull(notifications.readAt)))
        .get()
    },

    /** Notifies some users or everyone, in one transaction, and publishes after commit. */
    notify(recipients: Recipients, input: NotificationInput): { created: number; ids: number[] } {
      if ('userIds' in recipients) {
        const rows = transact(db, bus, (tx, outbox) => service.createIn(tx, outbox, recipients.userIds, input))
        return { created: rows.length, ids: rows.map((r) => r.id) }
      }
      const createdAt = Date.now()
      const v = rowValues(input, createdAt)
      const range = transact(db, bus, (tx, outbox) => {
        // One statement: ids of its rows are consecutive, so one event names them all.
        const result = tx.run(sql`INSERT INTO notifications (user_id, kind, title, message, link_url, link_text, icon, actor_id, created_at)
          SELECT id, ${v.kind}, ${v.title}, ${v.message}, ${v.linkUrl}, ${v.linkText}, ${v.icon}, ${v.actorId}, ${v.createdAt}
          FROM users ORDER BY id`)
        const toId = Number(result.lastInsertRowid)
        const fromId = toId - result.changes + 1
        if (result.changes > 0) outbox.push({ type: 'notify_all', template: template(input, createdAt), fromId, toId })
        return { fromId, toId, changes: result.changes }
      })
      const ids = Array.from({ length: range.changes }, (_, i) => range.fromId + i)
      return { created: range.changes, ids }
    },

    /** For the hub: this user's row of a broadcast. */
    broadcastRowId(userId: number, fromId: number, toId: number): number | null {
      // A big broadcast asks once per online user: read its rows in one scan and keep the last one.
      if (toId - fromId < 64) return (rowIdInRange.get(userId, fromId, toId) as number | undefined) ?? null
      if (!broadcastRows || broadcastRows.fromId !== fromId || broadcastRows.toId !== toId) {
        const byUser = new Map<number, number>()
        for (const [u, id] of rowsInRange.iterate(fromId, toId) as IterableIterator<[number, number]>) byUser.set(u, id)
        broadcastRows = { fromId, toId, byUser }
        // The hub asks for all its users in one synchronous pass; keep nothing afterwards.
        setImmediate(() => {
          broadcastRows = null
        })
      }
      return broadcastRows.byUser.get(userId) ?? null
    },

    list(userId: number, opts: { unread?: boolean; limit?: number; before?: number } = {}): NotificationDTO[] {
      const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100)
      const args = opts.before ? [userId, opts.before, limit] : [userId, limit]
      return (listQuery(Boolean(opts.unread), Boolean(opts.before)).all(...args) as ListRow[]).map(listRowToDTO)
    },

    get(userId: number, id: number): NotificationDTO | null {
      const r = selectWithActor()
        .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
        .get()
      return r ? toDTO(r.n, r.actor) : null
    },

    lastId(userId: number): number {
      return lastIdOf.get(userId) as number
    },

    /** What a reconnecting client missed: oldest first, at most REPLAY_LIMIT. */
    since(userId: number, afterId: number): { notifications: NotificationDTO[]; truncated: boolean } {
      const rows = sinceQuery.all(userId, afterId) as ListRow[]
      const truncated = rows.length > REPLAY_LIMIT
      return { notifications: rows.slice(0, REPLAY_LIMIT).map(listRowToDTO), truncated }
    },

    /** Marks one of the user's notifications read; null when it is not theirs. */
    markRead(userId: number, id: number): Counts | null {
      if (ownerOf.get(id) !== userId) return null
      const changed = db
        .update(notifications)
        .set({ readAt: Date.now() })
        .where(and(eq(notifications.id, id), isNull(notifications.readAt)))
        .run().changes
      if (changed) bus.publish({ type: 'counts', userIds: [userId] })
      return service.counts(userId)
    },

    markAllRead(userId: number): Counts {
      const changed = db
        .update(notifications)
        .set({ readAt: Date.now() })
        .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
        .run().changes
      if (changed) bus.publish({ type: 'counts', userIds: [userId] })
      return service.counts(userId)
    },
  }
  return service
}

export type NotificationService = ReturnType<typeof createNotificationService>
