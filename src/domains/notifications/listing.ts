/** The inbox filtered by status and category (the tabs of the inbox and their API). */
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { NOTIFICATION_KINDS, type NotificationDTO } from '../../protocol.js'
import { categoryOf, type Category } from './inbox-rules.js'
import { selectWithActor, type WithActor } from './queries.js'
import { notifications } from './schema.js'

export type InboxStatus = 'unread' | 'read' | 'archived' | 'snoozed'
export const INBOX_STATUSES: readonly InboxStatus[] = ['unread', 'read', 'archived', 'snoozed']

export interface ListFilter {
  /** Absent: the inbox (neither archived nor snoozed). */
  status?: InboxStatus
  category?: Category
}

const n = notifications

function statusCondition(status: InboxStatus | undefined, unread: boolean): SQL[] {
  const inInbox = [isNull(n.archivedAt), isNull(n.snoozedUntil)]
  switch (status) {
    case 'archived':
      return [isNotNull(n.archivedAt)]
    case 'snoozed':
      return [isNotNull(n.snoozedUntil)]
    case 'read':
      return [...inInbox, isNotNull(n.readAt)]
    case 'unread':
      return [...inInbox, isNull(n.readAt)]
    default:
      return unread ? [...inInbox, isNull(n.readAt)] : inInbox
  }
}

export interface Paging {
  limit: number
  /** Older than this id (the next page down). */
  before?: number
  /** Newer than this id (the page above): the oldest `limit` of them, still answered newest first. */
  after?: number
}

export async function listFiltered(db: Db, userId: number, opts: ListFilter & Paging & { unread?: boolean }): Promise<WithActor[]> {
  const where = [eq(n.userId, userId), ...statusCondition(opts.status, opts.unread ?? false)]
  if (opts.category) {
    const kinds = NOTIFICATION_KINDS.filter((k) => categoryOf(k) === opts.category)
    where.push(inArray(n.kind, [...kinds]))
  }
  if (opts.before) where.push(lt(n.id, opts.before))
  if (opts.after) where.push(gt(n.id, opts.after))
  const query = selectWithActor(db).where(and(...where))
  if (!opts.after) return await query.orderBy(desc(n.id)).limit(opts.limit)
  return (await query.orderBy(asc(n.id)).limit(opts.limit)).reverse()
}

/** Whether a notification belongs in a view of the inbox (what listFiltered would list, paging aside). */
export function inView(dto: NotificationDTO, view: ListFilter & { unread?: boolean }): boolean {
  if (view.category && dto.category !== view.category) return false
  const inInbox = !dto.archived && dto.snoozed_until === null
  switch (view.status) {
    case 'archived':
      return dto.archived
    case 'snoozed':
      return dto.snoozed_until !== null
    case 'read':
      return inInbox && dto.read
    case 'unread':
      return inInbox && !dto.read
    default:
      return inInbox && (!view.unread || !dto.read)
  }
}
