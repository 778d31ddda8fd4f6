/**
 * Notifications: created inside the caller's transaction (the push goes out after
 * commit through the outbox), listed, replayed, counted, marked read.
 */
import { and, count, eq, gt, isNull, notInArray, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { dialectOf } from '../../db/dialect.js'
import { exec } from '../../db/raw.js'
import { lockKey, transact, type Outbox, type Tx } from '../../db/transact.js'
import { notFound } from '../../errors.js'
import type { Bus } from '../../realtime/bus.js'
import { users } from '../accounts/schema.js'
import type { Counts, NotificationDTO, NotificationKind } from '../../protocol.js'
import type { NotificationTemplate } from './events.js'
import { actionsOf } from './actions.js'
import { categoryOf, type Category } from './inbox-rules.js'
import { onceByKey } from './idempotency.js'
import { listFiltered, type ListFilter, type Paging } from './listing.js'
import { prepareQueries, REPLAY_LIMIT, toDTO } from './queries.js'
import { createMutes } from './mutes.js'
import { createPreferences } from './preferences.js'
import { createInboxState } from './state.js'
import { notifications, type NotificationRow } from './schema.js'

export { REPLAY_LIMIT } from './queries.js'
export const RECENT_LIMIT = 10
/** Users per INSERT ... SELECT of a broadcast. */
export const BROADCAST_CHUNK = 2000

export interface NotificationInput {
  kind: NotificationKind
  title: string
  message?: string
  linkUrl?: string | null
  linkText?: string | null
  icon?: string | null
  actorId?: number | null
  /** What it is about (`post:4`, `invoice:9`, `conversation:3`, `user:2`); mutes name it. */
  thread?: string | null
  /** The recipients caused it themselves (issuing their own invoice): they may turn these off. */
  selfCaused?: boolean
}

/** Counts another domain adds, for one user and for many (users it has nothing for count 0). */
export interface UnreadCounter {
  one(userId: number): Promise<number>
  many(userIds: readonly number[]): Promise<Map<number, number>>
}

export type Recipients = { userIds: number[] } | { all: true }
export interface Notified {
  created: number
  ids: number[]
}

export const DEFAULT_ICONS: Record<NotificationKind, string> = {
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

export function createNotificationService({ db, bus, now = Date.now }: { db: Db; bus: Bus; now?: () => number }) {
  const q = prepareQueries(db)
  const preferences = createPreferences({ db, bus, now })
  const mutes = createMutes({ db, now })
  const inbox = createInboxState({ db, bus, q, now, counts: async (userId) => service.counts(userId) })

  /** Other domains add to the counts (social: unread direct messages). */
  let unreadMessages: UnreadCounter = { one: async () => 0, many: async () => new Map() }

  async function template(input: NotificationInput, createdAt: number): Promise<NotificationTemplate> {
    const actorId = input.actorId ?? null
    const username = actorId === null ? undefined : (await q.actorName.execute({ id: actorId }))[0]?.username
    return {
      kind: input.kind,
      title: input.title,
      message: input.message ?? '',
      link_url: input.linkUrl ?? null,
      link_text: input.linkText ?? null,
      icon: input.icon ?? DEFAULT_ICONS[input.kind],
      actor: actorId !== null && username !== undefined ? { id: actorId, username } : null,
      created_at: new Date(createdAt).toISOString(),
      category: categoryOf(input.kind),
      thread: input.thread ?? null,
      archived: false,
      snoozed_until: null,
      actions: actionsOf(input.kind, input.thread ?? null),
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
      thread: input.thread ?? null,
    }
  }

  const service = {
    setUnreadMessagesCounter(counter: UnreadCounter) {
      unreadMessages = counter
    },

    async counts(userId: number): Promise<Counts> {
      return { unread_count: (await q.countUnread.execute({ userId }))[0]!.n, unread_messages_count: await unreadMessages.one(userId) }
    },

    /** The counts of many users (a fan-out's slice) in a few grouped queries. */
    async countsOf(userIds: readonly number[]): Promise<Map<number, Counts>> {
      if (userIds.length === 1) return new Map([[userIds[0]!, await service.counts(userIds[0]!)]])
      const unread = new Map<number, number>()
      for (const r of await q.countUnreadOf.run(userIds)) unread.set(r.userId, r.n)
      const messages = await unreadMessages.many(userIds)
      return new Map(userIds.map((u) => [u, { unread_count: unread.get(u) ?? 0, unread_messages_count: messages.get(u) ?? 0 }]))
    },

    /** Unread notifications per category (snoozed and archived ones are read). */
    async unreadByCategory(userId: number): Promise<Record<Category, number>> {
      const byCategory: Record<Category, number> = { blog: 0, billing: 0, social: 0, system: 0 }
      for (const { kind, n } of await q.unreadByKind.execute({ userId })) byCategory[categoryOf(kind as NotificationKind)] += n
      return byCategory
    },

    /**
     * Inside the caller's transaction: one row per user; the push is queued in the
     * outbox and goes out after commit.
     */
    async createIn(tx: Tx, outbox: Outbox, recipients: number[], input: NotificationInput, groupKey?: string): Promise<NotificationRow[]> {
      const muted = await mutes.mutedIn(tx, input.thread, recipients)
      const userIds = await preferences.admit(tx, muted.size ? recipients.filter((u) => !muted.has(u)) : recipients, input.kind, input.selfCaused ?? false)
      if (userIds.length === 0) return []
      const createdAt = now()
      const base = { ...rowValues(input, createdAt), groupKey: groupKey ?? null }
      const rows: NotificationRow[] = []
      for (const userId of userIds) {
        const { id } = (await q.insert.execute({ userId, ...base }))[0]!
        rows.push({ id, userId, ...base, readAt: null, archivedAt: null, snoozedUntil: null })
      }
      outbox.push({ type: 'notify', template: await template(input, createdAt), recipients: rows.map((r) => [r.userId, r.id]) })
      return rows
    },

    /**
     * Rewrites an existing notification (grouping: "bob and 3 others liked ...")
     * and pushes it again under the same id.
     */
    async updateIn(tx: Tx, outbox: Outbox, id: number, input: NotificationInput): Promise<NotificationRow | undefined> {
      const createdAt = now()
      const row = (await tx.update(notifications).set(rowValues(input, createdAt)).where(eq(notifications.id, id)).returning())[0]
      if (row) outbox.push({ type: 'notify', template: await template(input, createdAt), recipients: [[row.userId, row.id]], updated: true })
      return row
    },

    /**
     * The unread notification of this user with this group key, if any. The caller adds to
     * it or creates it: transactions asking for the same group take turns until they end.
     */
    async findUnreadGroup(tx: Tx, userId: number, groupKey: string): Promise<NotificationRow | undefined> {
      await lockKey(tx, `group:${userId}:${groupKey}`)
      return (await tx
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, userId), eq(notifications.groupKey, groupKey), isNull(notifications.readAt))).limit(1))[0]
    },

    /** Notifies some users or everyone, in one transaction, and publishes after commit. */
    async notify(recipients: Recipients, input: NotificationInput): Promise<Notified> {
      return transact(db, bus, async (tx, outbox) => service.notifyIn(tx, outbox, recipients, input))
    },

    /** Like notify, once per caller and Idempotency-Key (idempotency.ts). */
    async notifyOnce(caller: { callerId: number; key: string; bodyHash: string }, recipients: Recipients, input: NotificationInput): Promise<Notified> {
      return onceByKey({ db, bus, now }, caller, async (tx, outbox) => service.notifyIn(tx, outbox, recipients, input))
    },

    /** Inside the caller's transaction: some users' rows, or one row per user (one event names them all). */
    async notifyIn(tx: Tx, outbox: Outbox, recipients: Recipients, input: NotificationInput): Promise<Notified> {
      if ('userIds' in recipients) {
        const rows = await service.createIn(tx, outbox, recipients.userIds, input)
        return { created: rows.length, ids: rows.map((r) => r.id) }
      }
      const createdAt = now()
      const v = rowValues(input, createdAt)
      const excluded = await preferences.inboxOff(tx, input.kind)
      // Statements whose ids are consecutive, so one event names them all (fromId..toId).
      // PostgreSQL hands out ids to concurrent inserts as they come: the table is locked
      // against other writers (readers go on) until COMMIT, and ids are drawn explicitly.
      // SQLite: BROADCAST_CHUNK users per statement, the event loop turning between them
      // (19,000 rows in one statement held it ~55 ms); the transaction keeps every other
      // writer out meanwhile, so the ids still follow on.
      const onPostgres = dialectOf(tx) === 'postgres'
      if (onPostgres) await exec(tx, sql`lock table notifications in exclusive mode`)
      const ids: number[] = []
      for (let after = 0; ; ) {
        if (after > 0 && !onPostgres) await new Promise((resolve) => setImmediate(resolve))
        const chunk = await tx
          .insert(notifications)
          .select(
            tx
              .select({
                id: (onPostgres ? sql`nextval(pg_get_serial_sequence('notifications', 'id'))` : sql`null`).as('id'),
                userId: users.id,
                kind: sql`${v.kind}`.as('kind'),
                title: sql`${v.title}`.as('title'),
                message: sql`${v.message}`.as('message'),
                linkUrl: sql`${v.linkUrl}`.as('link_url'),
                linkText: sql`${v.linkText}`.as('link_text'),
                icon: sql`${v.icon}`.as('icon'),
                actorId: sql`${v.actorId}`.as('actor_id'),
                groupKey: sql`null`.as('group_key'),
                readAt: sql`null`.as('read_at'),
                createdAt: sql`${v.createdAt}`.as('created_at'),
                thread: sql`${v.thread}`.as('thread'),
                archivedAt: sql`null`.as('archived_at'),
                snoozedUntil: sql`null`.as('snoozed_until'),
              })
              .from(users)
              .where(and(gt(users.id, after), notInArray(users.id, excluded)))
              .orderBy(users.id)
              .limit(BROADCAST_CHUNK),
          )
          .returning({ id: notifications.id, userId: notifications.userId })
        for (const r of chunk) {
          ids.push(r.id)
          after = Math.max(after, r.userId)
        }
        if (chunk.length < BROADCAST_CHUNK) break
      }
      ids.sort((a, b) => a - b)
      if (ids.length > 0 && ids[ids.length - 1]! - ids[0]! !== ids.length - 1) throw new Error(`a broadcast's ids are not consecutive (${ids.length} rows from ${ids[0]} to ${ids[ids.length - 1]})`)
      await preferences.admitBroadcast(tx, new Set(excluded))
      if (ids.length > 0) outbox.push({ type: 'notify_all', template: await template(input, createdAt), fromId: ids[0]!, toId: ids[ids.length - 1]! })
      return { created: ids.length, ids }
    },

    /** How many users a notification of this kind to everyone reaches (those who keep it in their inbox). */
    async reachOfAll(kind: NotificationKind): Promise<number> {
      return transact(db, bus, async (tx) => (await tx.select({ n: count() }).from(users).limit(1))[0]!.n - (await preferences.inboxOff(tx, kind)).length)
    },

    /** These users' rows among a broadcast's rows (notify_all); users without one are left out. */
    async broadcastRowIds(userIds: readonly number[], fromId: number, toId: number): Promise<Map<number, number>> {
      if (userIds.length === 1) {
        const id = (await q.rowIdInRange.execute({ userId: userIds[0]!, from: fromId, to: toId }))[0]?.id
        return new Map(id === undefined ? [] : [[userIds[0]!, id]])
      }
      const rows = await q.rowIdsInRange.run(userIds, { from: fromId, to: toId })
      return new Map(rows.flatMap((r) => (r.id === null ? [] : [[r.userId, r.id]])))
    },

    async list(userId: number, opts: ListFilter & Partial<Paging> & { unread?: boolean } = {}): Promise<NotificationDTO[]> {
      // A whole number of rows, 1-100 (each size is a statement of its own, queries.ts).
      const asked = Math.trunc(opts.limit ?? 20)
      const limit = Number.isFinite(asked) ? Math.min(Math.max(asked, 1), 100) : 20
      if (opts.status || opts.category || opts.after) return (await listFiltered(db, userId, { ...opts, limit })).map(toDTO)
      const rows = opts.before
        ? await (opts.unread ? q.list.unreadBefore : q.list.allBefore).execute({ userId, limit, before: opts.before })
        : await (opts.unread ? q.list.unread : q.list.all).execute({ userId, limit })
      return rows.map(toDTO)
    },

    /** One of the user's notifications, or undefined (a pushed row deleted meanwhile). */
    async find(userId: number, id: number): Promise<NotificationDTO | undefined> {
      const r = (await q.one.execute({ id, userId }))[0]
      return r ? toDTO(r) : undefined
    },

    preferences,
    mutes,
    alertOf: preferences.alertOf,
    alertsOf: preferences.alertsOf,

    /** One of the user's notifications; not_found when it is not theirs. */
    async get(userId: number, id: number): Promise<NotificationDTO> {
      const found = await service.find(userId, id)
      if (!found) throw notFound(`You have no notification ${id}`)
      return found
    },

    async lastId(userId: number): Promise<number> {
      return (await q.lastId.execute({ userId }))[0]?.id ?? 0
    },

    /** What a reconnecting client missed: oldest first, at most REPLAY_LIMIT. */
    async since(userId: number, afterId: number): Promise<{ notifications: NotificationDTO[]; truncated: boolean }> {
      const rows = await q.since.execute({ userId, after: afterId })
      const truncated = rows.length > REPLAY_LIMIT
      return { notifications: rows.slice(0, REPLAY_LIMIT).map(toDTO), truncated }
    },

    ...inbox,
  }
  return service
}

export type NotificationService = ReturnType<typeof createNotificationService>
