/**
 * The inbox state of a user's rows: read, done (archived) and snoozed. Every change
 * is published after commit as a `notification_state` event, so every socket of the
 * user on every process shows the same rows.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { transact, type Outbox, type Tx } from '../../db/transact.js'
import { invalid, notFound } from '../../errors.js'
import type { Counts, NotificationKind } from '../../protocol.js'
import type { Bus } from '../../realtime/bus.js'
import type { StateChange } from './events.js'
import { isTimeZone, snoozePresets, snoozeProblem, zonedInstant, type SnoozePreset } from './inbox-rules.js'
import type { Queries } from './queries.js'
import { notifications } from './schema.js'

/** What a page's snooze menu sends: a preset, or a wall-clock time (`2026-12-02T09:00`), in the browser's time zone. */
export type SnoozeChoice = { preset: SnoozePreset } | { local: string }

/** Rows woken per claim; a backlog takes several ticks. */
const WAKE_BATCH = 500

const n = notifications

export function createInboxState({ db, bus, q, now, counts }: { db: Db; bus: Bus; q: Queries; now: () => number; counts: (userId: number) => Promise<Counts> }) {
  async function own(userId: number, id: number): Promise<void> {
    if ((await q.ownerOf.execute({ id }))[0]?.userId !== userId) throw notFound(`You have no notification ${id}`)
  }

  /** Publishes what changed (if anything did) and answers the counts. */
  async function changed(userId: number, updated: number, change: StateChange, countUpdate = false): Promise<Counts> {
    if (updated) {
      // count_update stays for clients of the protocol before notification_state (read, read-all).
      if (countUpdate) bus.publish({ type: 'counts', userIds: [userId] })
      bus.publish({ type: 'notification_state', userId, change })
    }
    return counts(userId)
  }

  const one = (id: number) => eq(n.id, id)

  const state = {
    /** Marks one of the user's notifications read; not_found when it is not theirs. */
    async markRead(userId: number, id: number): Promise<Counts> {
      await own(userId, id)
      const updated = (await db.update(n).set({ readAt: now() }).where(and(one(id), isNull(n.readAt))).returning({ id: n.id })).length
      return changed(userId, updated, { ids: [id], read: true }, true)
    },

    /**
     * Inside the caller's transaction: the user's unread notifications of these kinds
     * about `thread` are read, because what they asked for was done (a request answered,
     * an invoice paid), from a toast, a row or any page; published after commit.
     */
    async readThreadIn(tx: Tx, outbox: Outbox, userId: number, thread: string, kinds: NotificationKind[]): Promise<number[]> {
      const ids = (await tx
        .update(n)
        .set({ readAt: now() })
        .where(and(eq(n.userId, userId), isNull(n.readAt), eq(n.thread, thread), inArray(n.kind, kinds)))
        .returning({ id: n.id }))
        .map((r) => r.id)
      if (ids.length) {
        outbox.push({ type: 'counts', userIds: [userId] })
        outbox.push({ type: 'notification_state', userId, change: { ids, read: true } })
      }
      return ids
    },

    async markAllRead(userId: number): Promise<Counts> {
      const updated = (await db.update(n).set({ readAt: now() }).where(and(eq(n.userId, userId), isNull(n.readAt))).returning({ id: n.id })).length
      return changed(userId, updated, { all: true, read: true }, true)
    },

    /** Done: out of the inbox, read, no longer snoozed. */
    async archive(userId: number, id: number): Promise<Counts> {
      await own(userId, id)
      const at = now()
      const updated = (await db
        .update(n)
        .set({ archivedAt: at, readAt: sql`coalesce(${n.readAt}, ${at})`, snoozedUntil: null })
        .where(and(one(id), isNull(n.archivedAt))).returning({ id: n.id })).length
      return changed(userId, updated, { ids: [id], archived: true, read: true, snoozed_until: null })
    },

    /** Back in the inbox (still read). */
    async unarchive(userId: number, id: number): Promise<Counts> {
      await own(userId, id)
      const updated = (await db.update(n).set({ archivedAt: null }).where(and(one(id), isNotNull(n.archivedAt))).returning({ id: n.id })).length
      return changed(userId, updated, { ids: [id], archived: false })
    },

    /** Hidden (and read) until `until` (ms); then it comes back unread, once. */
    async snooze(userId: number, id: number, until: number): Promise<Counts> {
      await own(userId, id)
      const problem = snoozeProblem(until, now())
      if (problem) throw invalid({ until: problem })
      const at = now()
      const updated = (await db
        .update(n)
        .set({ snoozedUntil: until, archivedAt: null, readAt: sql`coalesce(${n.readAt}, ${at})` })
        .where(one(id)).returning({ id: n.id })).length
      return changed(userId, updated, { ids: [id], snoozed_until: new Date(until).toISOString(), archived: false, read: true })
    },

    /** A snooze menu's choice in `timeZone` (an IANA name the browser reported). */
    async snoozeChoice(userId: number, id: number, choice: SnoozeChoice, timeZone: string): Promise<Counts> {
      await own(userId, id)
      if (!isTimeZone(timeZone)) throw invalid({ time_zone: `Unknown time zone ${timeZone.slice(0, 64)}` })
      let until: number
      if ('preset' in choice) until = snoozePresets(now(), timeZone)[choice.preset]
      else {
        const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(choice.local)
        if (!m) throw invalid({ until: 'Pick a date and a time' })
        const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number]
        if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) throw invalid({ until: 'Pick a date and a time' })
        until = zonedInstant(timeZone, y, mo, d, h, mi)
      }
      return state.snooze(userId, id, until)
    },

    /** "Done for all read": every read row of the inbox (not snoozed) is archived; one state change names them. */
    async archiveAllRead(userId: number): Promise<Counts> {
      const ids = (await db
        .update(n)
        .set({ archivedAt: now() })
        .where(and(eq(n.userId, userId), isNotNull(n.readAt), isNull(n.archivedAt), isNull(n.snoozedUntil)))
        .returning({ id: n.id }))
        .map((r) => r.id)
      return changed(userId, ids.length, { ids, archived: true, read: true })
    },

    /** Back in the inbox now, unread, as if its time had come (no `resurfaced` push). */
    async unsnooze(userId: number, id: number): Promise<Counts> {
      await own(userId, id)
      const updated = (await db.update(n).set({ snoozedUntil: null, readAt: null }).where(and(one(id), isNotNull(n.snoozedUntil))).returning({ id: n.id })).length
      return changed(userId, updated, { ids: [id], snoozed_until: null, read: false })
    },

    /**
     * Wakes the snoozed rows that are due: claimed in one IMMEDIATE transaction (the
     * UPDATE only takes rows still snoozed), so whichever process or restart runs it,
     * each row comes back once; published after commit. Returns how many woke.
     */
    async wakeSnoozed(at = now()): Promise<number> {
      return transact(db, bus, async (tx, outbox) => {
        const due = tx
          .select({ id: n.id })
          .from(n)
          .where(and(isNotNull(n.snoozedUntil), lte(n.snoozedUntil, at)))
          .orderBy(asc(n.snoozedUntil))
          .limit(WAKE_BATCH)
        const woken = await tx
          .update(n)
          .set({ snoozedUntil: null, readAt: null })
          .where(and(inArray(n.id, due), isNotNull(n.snoozedUntil)))
          .returning({ id: n.id, userId: n.userId })
        if (woken.length) outbox.push({ type: 'resurface', recipients: woken.map((r) => [r.userId, r.id]) })
        return woken.length
      })
    },
  }
  return state
}
