/**
 * Mutes: a muted thread (`post:4`) creates no notifications for that user until
 * `until` or until unmuted. Whether a user may mute a thread is asked of the domain
 * that owns it (it registers a check per thread type).
 */
import { and, eq, gt, inArray, isNull, or } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import type { Tx } from '../../db/transact.js'
import { invalid, notFound } from '../../errors.js'
import { isThread } from './inbox-rules.js'
import { notificationMutes as mutes } from './schema.js'

export interface Mute {
  thread: string
  until: string | null
}

export type ThreadType = 'post' | 'invoice' | 'conversation' | 'user'

export function createMutes({ db, now }: { db: Db; now: () => number }) {
  const canSee = new Map<string, (userId: number, id: number) => boolean>()
  const active = () => or(isNull(mutes.until), gt(mutes.until, now()))
  const toMute = (r: { thread: string; until: number | null }): Mute => ({ thread: r.thread, until: r.until === null ? null : new Date(r.until).toISOString() })

  const service = {
    /** The owning domain says whether a user can see thread `<type>:<id>`. */
    allow(type: ThreadType, check: (userId: number, id: number) => boolean): void {
      canSee.set(type, check)
    },

    list(userId: number): Mute[] {
      return db.select().from(mutes).where(and(eq(mutes.userId, userId), active())).orderBy(mutes.thread).all().map(toMute)
    },

    /** Mutes a thread the user can see (not_found otherwise) until `until` (ms) or for good. */
    mute(userId: number, thread: string, until: number | null): Mute {
      if (!isThread(thread)) throw invalid({ thread: 'A thread like post:4, invoice:9, conversation:3 or user:2.' })
      if (until !== null && !(until > now())) throw invalid({ until: 'until must be a date and time in the future' })
      const [type, id] = thread.split(':') as [string, string]
      if (!canSee.get(type)?.(userId, Number(id))) throw notFound(`You have no ${type} ${id}`)
      const values = { until, createdAt: now() }
      db.insert(mutes).values({ userId, thread, ...values }).onConflictDoUpdate({ target: [mutes.userId, mutes.thread], set: values }).run()
      return toMute({ thread, until })
    },

    unmute(userId: number, thread: string): void {
      const removed = db.delete(mutes).where(and(eq(mutes.userId, userId), eq(mutes.thread, thread))).run().changes
      if (!removed) throw notFound(`You have not muted ${thread.slice(0, 40)}`)
    },

    /** Inside the creating transaction: who of `userIds` muted `thread` now. */
    mutedIn(tx: Tx, thread: string | null | undefined, userIds: number[]): Set<number> {
      if (!thread || userIds.length === 0) return new Set()
      const rows = tx
        .select({ userId: mutes.userId })
        .from(mutes)
        .where(and(eq(mutes.thread, thread), inArray(mutes.userId, [...new Set(userIds)]), active()))
        .all()
      return new Set(rows.map((r) => r.userId))
    },
  }
  return service
}

export type NotificationMutes = ReturnType<typeof createMutes>
