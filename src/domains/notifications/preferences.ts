/**
 * Notification preferences: per kind in the inbox / as a toast / as a desktop
 * notification, quiet hours in a time zone, self-caused notifications. Applied when
 * notifications are created (who gets a row) and pushed (what may show). During
 * quiet hours everything is stored and counted, nothing shows; when they end, one
 * summary frame says how many arrived.
 */
import { and, eq, inArray, isNotNull, lte, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { inListQuery, prepare } from '../../db/prepared.js'
import { transact, type Outbox, type Tx } from '../../db/transact.js'
import { hasErrors, invalid, type FieldErrors } from '../../errors.js'
import { NOTIFICATION_KINDS, type Alert, type NotificationKind } from '../../protocol.js'
import type { Bus } from '../../realtime/bus.js'
import { ALL_ON, alertFor, inQuietHours, quietHoursEndAfter, quietHoursProblem, type Channels, type QuietHours } from './inbox-rules.js'
import { notificationChannels as channels, notificationSettings as settings } from './schema.js'

export interface Preferences {
  kinds: Record<NotificationKind, Channels>
  quiet_hours: QuietHours | null
  /** Notifications about what the user did themselves (issuing their own invoice). */
  self_caused: boolean
}

export interface PreferencesChange {
  kinds?: Record<string, Channels>
  quiet_hours?: QuietHours | null
  self_caused?: boolean
}

const p = (name: string) => sql.placeholder(name)

export function createPreferences({ db, bus, now }: { db: Db; bus: Bus; now: () => number }) {
  const q = {
    channels: prepare(
      'preferences_channels',
      db
        .select()
        .from(channels)
        .where(and(eq(channels.userId, p('userId')), eq(channels.kind, p('kind')))),
    ),
    settings: prepare('preferences_settings', db.select().from(settings).where(eq(settings.userId, p('userId')))),
    /** channels and settings of many users. */
    channelsOf: inListQuery('preferences_channelsOf', (list) =>
      db
        .select()
        .from(channels)
        .where(and(inArray(channels.userId, list), eq(channels.kind, p('kind')))),
    ),
    settingsOf: inListQuery('preferences_settingsOf', (list) => db.select().from(settings).where(inArray(settings.userId, list))),
  }

  function quietOf(row: typeof settings.$inferSelect | undefined): QuietHours | null {
    return row?.quietStart && row.quietEnd && row.timeZone ? { start: row.quietStart, end: row.quietEnd, time_zone: row.timeZone } : null
  }

  function alertOfRows(kind: NotificationKind, c: typeof channels.$inferSelect | undefined, row: typeof settings.$inferSelect | undefined, at: number): Alert {
    return alertFor(kind, c ? { [kind]: c } : {}, quietOf(row), at)
  }

  function validate(change: PreferencesChange): FieldErrors {
    const errors: FieldErrors = {}
    for (const [kind, c] of Object.entries(change.kinds ?? {})) {
      if (!NOTIFICATION_KINDS.includes(kind as NotificationKind)) errors[`kinds.${kind.slice(0, 40)}`] = `Unknown kind; one of ${NOTIFICATION_KINDS.join(', ')}.`
      else if (kind === 'system' && !(c.inbox && c.toast && c.desktop)) errors['kinds.system'] = 'System notifications cannot be turned off.'
    }
    if (change.quiet_hours) {
      const problem = quietHoursProblem(change.quiet_hours)
      if (problem) errors[problem.startsWith('unknown time zone') ? 'quiet_hours.time_zone' : 'quiet_hours'] = problem
    }
    return errors
  }

  /** Recipients in quiet hours now: counted for the summary sent when they end. */
  async function countAway(tx: Tx, rows: Array<typeof settings.$inferSelect>, howMany: (userId: number) => number) {
    const at = now()
    for (const row of rows) {
      const quiet = quietOf(row)
      const n = howMany(row.userId)
      if (!quiet || n === 0 || !inQuietHours(at, quiet)) continue
      await tx.update(settings)
        .set({ awayCount: sql`${settings.awayCount} + ${n}`, awayUntil: quietHoursEndAfter(at, quiet) })
        .where(eq(settings.userId, row.userId))
    }
  }

  const prefs = {
    async get(userId: number): Promise<Preferences> {
      const kinds = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { ...ALL_ON }])) as Record<NotificationKind, Channels>
      for (const r of await db.select().from(channels).where(eq(channels.userId, userId))) {
        kinds[r.kind as NotificationKind] = { inbox: r.inbox, toast: r.toast, desktop: r.desktop }
      }
      const row = (await q.settings.execute({ userId }))[0]
      return { kinds, quiet_hours: quietOf(row), self_caused: row?.selfCaused ?? true }
    },

    /** Stores the kinds named (others keep theirs), the quiet hours and self_caused when given. */
    async put(userId: number, change: PreferencesChange): Promise<Preferences> {
      const errors = validate(change)
      if (hasErrors(errors)) throw invalid(errors)
      await transact(db, bus, async (tx) => {
        for (const [kind, c] of Object.entries(change.kinds ?? {})) {
          const values = { inbox: c.inbox, toast: c.toast, desktop: c.desktop }
          await tx.insert(channels).values({ userId, kind, ...values }).onConflictDoUpdate({ target: [channels.userId, channels.kind], set: values })
        }
        const set: Partial<typeof settings.$inferInsert> = {}
        if (change.quiet_hours !== undefined) {
          const qh = change.quiet_hours
          Object.assign(set, { quietStart: qh?.start ?? null, quietEnd: qh?.end ?? null, timeZone: qh?.time_zone ?? null })
        }
        if (change.self_caused !== undefined) set.selfCaused = change.self_caused
        if (Object.keys(set).length) await tx.insert(settings).values({ userId, ...set }).onConflictDoUpdate({ target: settings.userId, set })
      })
      return prefs.get(userId)
    },

    /** Whether a notification of this kind may show a toast / desktop notification to the user now. */
    async alertOf(userId: number, kind: NotificationKind): Promise<Alert> {
      const c = (await q.channels.execute({ userId, kind }))[0]
      return alertOfRows(kind, c, (await q.settings.execute({ userId }))[0], now())
    },

    /** alertOf for many users (a fan-out's slice) in two queries per IN_LIST users. */
    async alertsOf(userIds: readonly number[], kind: NotificationKind): Promise<Map<number, Alert>> {
      if (userIds.length === 1) return new Map([[userIds[0]!, await prefs.alertOf(userIds[0]!, kind)]])
      const byUser = <R extends { userId: number }>(rows: R[]) => new Map(rows.map((r) => [r.userId, r]))
      const cs = byUser(await q.channelsOf.run(userIds, { kind }))
      const rows = byUser(await q.settingsOf.run(userIds))
      const at = now()
      return new Map(userIds.map((u) => [u, alertOfRows(kind, cs.get(u), rows.get(u), at)]))
    },

    /**
     * Inside the creating transaction: the users who get a row (inbox on; self-caused
     * ones only when wanted); each of them in quiet hours is counted for the summary.
     */
    async admit(tx: Tx, userIds: number[], kind: NotificationKind, selfCaused: boolean): Promise<number[]> {
      if (userIds.length === 0) return userIds
      const unique = [...new Set(userIds)]
      const off = new Set(await prefs.inboxOff(tx, kind, unique))
      const rows = unique.length === 1 ? await q.settings.execute({ userId: unique[0]! }) : await q.settingsOf.run(unique)
      for (const row of rows) if (selfCaused && !row.selfCaused) off.add(row.userId)
      const admitted = userIds.filter((u) => !off.has(u))
      await countAway(tx, rows.filter((r) => !off.has(r.userId)), (userId) => admitted.filter((u) => u === userId).length)
      return admitted
    },

    /** A broadcast's side of admit, after its rows were inserted for every user but `excluded`. */
    async admitBroadcast(tx: Tx, excluded: Set<number>): Promise<void> {
      const rows = await tx.select().from(settings).where(isNotNull(settings.timeZone))
      await countAway(tx, rows.filter((r) => !excluded.has(r.userId)), () => 1)
    },

    /** Users (of `among`, or all) whose `kind` is kept out of the inbox. */
    async inboxOff(tx: Tx, kind: NotificationKind, among?: number[]): Promise<number[]> {
      if (kind === 'system') return []
      // Recipients named: prepared lookups (one user, or channelsOf for several), not a query built per call.
      if (among?.length === 1) return (await q.channels.execute({ userId: among[0]!, kind }))[0]?.inbox === false ? [among[0]!] : []
      if (among) return (await q.channelsOf.run(among, { kind })).filter((c) => c.inbox === false).map((c) => c.userId)
      return (await tx.select({ userId: channels.userId }).from(channels).where(and(eq(channels.kind, kind), eq(channels.inbox, false)))).map((r) => r.userId)
    },

    /** Quiet hours over: one summary per user that got something meanwhile, claimed once (any process). */
    async sendAwaySummaries(at = now()): Promise<number> {
      return transact(db, bus, async (tx, outbox: Outbox) => {
        const due = await tx
          .select({ userId: settings.userId, count: settings.awayCount })
          .from(settings)
          .where(and(isNotNull(settings.awayUntil), lte(settings.awayUntil, at)))
        if (!due.length) return 0
        await tx.update(settings)
          .set({ awayCount: 0, awayUntil: null })
          .where(inArray(settings.userId, due.map((d) => d.userId)))
        for (const d of due) if (d.count > 0) outbox.push({ type: 'away_summary', userId: d.userId, count: d.count })
        return due.length
      })
    },
  }
  return prefs
}

export type NotificationPreferences = ReturnType<typeof createPreferences>
