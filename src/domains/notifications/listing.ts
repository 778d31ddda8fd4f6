/** The inbox filtered by status and category (the tabs of the inbox and their API). */
import { and, desc, eq, inArray, isNotNull, isNull, lt, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { NOTIFICATION_KINDS } from '../../protocol.js'
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

export function listFiltered(db: Db, userId: number, opts: ListFilter & { unread?: boolean; limit: number; before?: number }): WithActor[] {
  const where = [eq(n.userId, userId), ...statusCondition(opts.status, opts.unread ?? false)]
  if (opts.category) {
    const kinds = NOTIFICATION_KINDS.filter((k) => categoryOf(k) === opts.category)
    where.push(inArray(n.kind, [...kinds]))
  }
  if (opts.before) where.push(lt(n.id, opts.before))
  return selectWithActor(db).where(and(...where)).orderBy(desc(n.id)).limit(opts.limit).all()
}
