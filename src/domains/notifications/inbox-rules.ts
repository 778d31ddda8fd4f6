/**
 * Pure rules of the inbox: categories and threads, snooze times in the user's time
 * zone, quiet hours, and what a notification may show. No database, no app: the
 * service and the pages call these with the clock they were given.
 */
import type { NotificationCategory, NotificationKind } from '../../protocol.js'

export type Category = NotificationCategory
export const CATEGORIES: readonly Category[] = ['blog', 'billing', 'social', 'system']

const CATEGORY_OF: Record<NotificationKind, Category> = {
  comment: 'blog',
  like: 'blog',
  invoice_created: 'billing',
  invoice_paid: 'billing',
  invoice_overdue: 'billing',
  friend_request: 'social',
  friend_accepted: 'social',
  new_message: 'social',
  system: 'system',
}

export function categoryOf(kind: NotificationKind): Category {
  return CATEGORY_OF[kind]
}

/** `post:4`, `invoice:9`, `conversation:3`, `user:2`: what a notification is about; mutes name one. */
const THREAD = /^(post|invoice|conversation|user):[1-9]\d{0,15}$/

export function isThread(value: string): boolean {
  return THREAD.test(value)
}

export const SNOOZE_MAX_MS = 30 * 24 * 3600_000

export function isTimeZone(name: string): boolean {
  if (!name || name.length > 64) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  /** 0 = Sunday */
  weekday: number
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const formatters = new Map<string, Intl.DateTimeFormat>()

/** The wall clock in `timeZone` at instant `at` (ms). */
export function wallClock(at: number, timeZone: string): WallClock {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    })
    formatters.set(timeZone, f)
  }
  const parts = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, p.value]))
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf(parts.weekday!),
  }
}

/** Local time minus UTC at instant `at`, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const w = wallClock(at, timeZone)
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(at / 60_000) * 60_000
}

/**
 * The instant at which the wall clock in `timeZone` shows this date and time. A time
 * that happens twice (clocks going back) is the earlier one; a time that does not
 * happen (clocks going forward) is read with the offset before the change, so 02:30
 * on a spring-forward night is 03:30 (as Temporal's "compatible" does).
 */
export function zonedInstant(timeZone: string, year: number, month: number, day: number, hour: number, minute: number): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute)
  const before = asUtc - offsetAt(asUtc - 86_400_000, timeZone)
  const after = asUtc - offsetAt(asUtc + 86_400_000, timeZone)
  const shows = (at: number) => {
    const w = wallClock(at, timeZone)
    return w.year === year && w.month === month && w.day === day && w.hour === hour && w.minute === minute
  }
  const matching = [before, after].filter(shows)
  return matching.length ? Math.min(...matching) : Math.max(before, after)
}

function addDays(w: WallClock, days: number): { year: number; month: number; day: number } {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

export type SnoozePreset = 'hour' | 'evening' | 'tomorrow' | 'next_week'
export const SNOOZE_PRESETS: readonly SnoozePreset[] = ['hour', 'evening', 'tomorrow', 'next_week']
export const EVENING_HOUR = 18
export const MORNING_HOUR = 9

/**
 * When each snooze choice ends, seen from `now` in the user's time zone: in an hour;
 * this evening at 18:00 (tomorrow's evening once today's is less than an hour away);
 * tomorrow at 09:00; next Monday at 09:00.
 */
export function snoozePresets(now: number, timeZone: string): Record<SnoozePreset, number> {
  const w = wallClock(now, timeZone)
  const at = (days: number, hour: number) => {
    const d = addDays(w, days)
    return zonedInstant(timeZone, d.year, d.month, d.day, hour, 0)
  }
  let evening = at(0, EVENING_HOUR)
  if (evening - now < 3600_000) evening = at(1, EVENING_HOUR)
  const daysToMonday = ((8 - w.weekday) % 7) || 7
  return { hour: now + 3600_000, evening, tomorrow: at(1, MORNING_HOUR), next_week: at(daysToMonday, MORNING_HOUR) }
}

/** An ISO 8601 date-time with a zone (`2026-01-27T09:00:00Z`, `...+05:30`) as ms; NaN otherwise. */
export function parseInstant(value: string): number {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/.test(value)) return NaN
  return Date.parse(value)
}

/** Why a snooze time is refused, or null when it is acceptable (future, at most 30 days). */
export function snoozeProblem(until: number, now: number): string | null {
  if (!Number.isFinite(until)) return 'until must be a date and time'
  if (until <= now) return 'until must be in the future'
  if (until - now > SNOOZE_MAX_MS) return 'until must be at most 30 days from now'
  return null
}

export interface QuietHours {
  /** "HH:MM", 24-hour, in time_zone */
  start: string
  end: string
  time_zone: string
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/

export function minutesOf(hhmm: string): number | null {
  const m = HHMM.exec(hhmm)
  return m ? Number(m[1]) * 60 + Number(m[2]) : null
}

export function quietHoursProblem(q: QuietHours): string | null {
  const start = minutesOf(q.start)
  const end = minutesOf(q.end)
  if (start === null || end === null) return 'quiet hours take times like 22:00'
  if (start === end) return 'quiet hours must start and end at different times'
  if (!isTimeZone(q.time_zone)) return `unknown time zone ${JSON.stringify(q.time_zone).slice(0, 70)}`
  return null
}

/** Whether `at` falls in the quiet hours (which may run past midnight: 22:00-07:00). */
export function inQuietHours(at: number, q: QuietHours | null): boolean {
  if (!q) return false
  const start = minutesOf(q.start)!
  const end = minutesOf(q.end)!
  const w = wallClock(at, q.time_zone)
  const now = w.hour * 60 + w.minute
  return start < end ? now >= start && now < end : now >= start || now < end
}

/** The next instant after `at` when quiet hours end (for the "while you were away" summary). */
export function quietHoursEndAfter(at: number, q: QuietHours): number {
  const end = minutesOf(q.end)!
  const w = wallClock(at, q.time_zone)
  const today = zonedInstant(q.time_zone, w.year, w.month, w.day, Math.floor(end / 60), end % 60)
  if (today > at) return today
  const d = addDays(w, 1)
  return zonedInstant(q.time_zone, d.year, d.month, d.day, Math.floor(end / 60), end % 60)
}

export interface Channels {
  inbox: boolean
  toast: boolean
  desktop: boolean
}
export const ALL_ON: Channels = { inbox: true, toast: true, desktop: true }

/**
 * What a notification of `kind` may show the user now. `system` cannot be turned off;
 * quiet hours show nothing (everything is still stored and counted).
 */
export function alertFor(kind: NotificationKind, prefs: Partial<Record<NotificationKind, Channels>>, quiet: QuietHours | null, at: number): { toast: boolean; desktop: boolean } {
  const channels = kind === 'system' ? ALL_ON : (prefs[kind] ?? ALL_ON)
  if (inQuietHours(at, quiet)) return { toast: false, desktop: false }
  return { toast: channels.toast, desktop: channels.desktop }
}
