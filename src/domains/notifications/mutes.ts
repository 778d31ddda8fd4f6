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

/** A mute as the settings page lists it: what it mutes, in words. */
export interface DescribedMute extends Mute {
  label: string
}

type Describe = (userId: number, id: number) => Promise<string | null>

/** The durations a row's mute menu offers (ms; null: until unmuted). */
export const MUTE_FOR = { '8h': 8 * 3600_000, week: 7 * 24 * 3600_000, forever: null } as const
export type MuteFor = keyof typeof MUTE_FOR

export function createMutes({ db, now }: { db: Db; now: () => number }) {
  const canSee = new Map<string, (userId: number, id: number) => Promise<boolean>>()
  const describers = new Map<string, Describe>()
  const active = () => or(isNull(mutes.until), gt(mutes.until, now()))
  const toMute = (r: { thread: string; until: number | null }): Mute => ({ thread: r.thread, until: r.until === null ? null : new Date(r.until).toISOString() })

  const service = {
    /**
     * The owning domain says whether a user can see thread `<type>:<id>`, and what it
     * is in words for the mutes list ("Post “Hello”"; null when gone).
     */
    allow(type: ThreadType, check: (userId: number, id: number) => Promise<boolean>, describe?: Describe): void {
      canSee.set(type, check)
      if (describe) describers.set(type, describe)
    },

    /** The user's mutes, each with what it mutes in words (the thread itself when its domain cannot say). */
    async described(userId: number): Promise<DescribedMute[]> {
      const described: DescribedMute[] = []
      for (const m of await service.list(userId)) {
        const [type, id] = m.thread.split(':') as [string, string]
        let label: string | null = null
        try {
          label = (await describers.get(type)?.(userId, Number(id))) ?? null
        } catch {
          label = null
        }
        described.push({ ...m, label: label ?? m.thread })
      }
      return described
    },

    async list(userId: number): Promise<Mute[]> {
      return (await db.select().from(mutes).where(and(eq(mutes.userId, userId), active())).orderBy(mutes.thread)).map(toMute)
    },

    /** Mutes a thread the user can see (not_found otherwise) until `until` (ms) or for good. */
    async mute(userId: number, thread: string, until: number | null): Promise<Mute> {
      if (!isThread(thread)) throw invalid({ thread: 'A thread like post:4, invoice:9, conversation:3 or user:2.' })
      if (until !== null && !(until > now())) throw invalid({ until: 'until must be a date and time in the future' })
      const [type, id] = thread.split(':') as [string, string]
      if (!(await canSee.get(type)?.(userId, Number(id)))) throw notFound(`You have no ${type} ${id}`)
      const values = { until, createdAt: now() }
      await db.insert(mutes).values({ userId, thread, ...values }).onConflictDoUpdate({ target: [mutes.userId, mutes.thread], set: values })
      return toMute({ thread, until })
    },

    /** A mute for one of the row menu's durations, from now. */
    async muteFor(userId: number, thread: string, duration: MuteFor): Promise<Mute> {
      const ms = MUTE_FOR[duration]
      return service.mute(userId, thread, ms === null ? null : now() + ms)
    },

    async unmute(userId: number, thread: string): Promise<void> {
      const removed = (await db.delete(mutes).where(and(eq(mutes.userId, userId), eq(mutes.thread, thread))).returning({ userId: mutes.userId })).length
      if (!removed) throw notFound(`You have not muted ${thread.slice(0, 40)}`)
    },

    /** Inside the creating transaction: who of `userIds` muted `thread` now. */
    async mutedIn(tx: Tx, thread: string | null | undefined, userIds: number[]): Promise<Set<number>> {
      if (!thread || userIds.length === 0) return new Set()
      const rows = await tx
        .select({ userId: mutes.userId })
        .from(mutes)
        .where(and(eq(mutes.thread, thread), inArray(mutes.userId, [...new Set(userIds)]), active()))
      return new Set(rows.map((r) => r.userId))
    },
  }
  return service
}

export type NotificationMutes = ReturnType<typeof createMutes>
