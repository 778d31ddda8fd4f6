import t from 'tap'
import {
  alertFor,
  categoryOf,
  inQuietHours,
  isThread,
  isTimeZone,
  quietHoursEndAfter,
  quietHoursProblem,
  snoozePresets,
  snoozeProblem,
  zonedInstant,
} from '../../src/domains/notifications/inbox-rules.js'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

t.test('categories and threads', async (t) => {
  t.equal(categoryOf('comment'), 'blog')
  t.equal(categoryOf('like'), 'blog')
  t.equal(categoryOf('invoice_overdue'), 'billing')
  t.equal(categoryOf('new_message'), 'social')
  t.equal(categoryOf('friend_request'), 'social')
  t.equal(categoryOf('system'), 'system')
  for (const ok of ['post:4', 'invoice:9', 'conversation:3', 'user:2']) t.ok(isThread(ok), ok)
  for (const bad of ['post:0', 'post:', 'post:04', 'blog:4', 'post:4 ', 'post:1e3', '']) t.notOk(isThread(bad), JSON.stringify(bad))
})

t.test('time zones', async (t) => {
  t.ok(isTimeZone('Asia/Kolkata'))
  t.ok(isTimeZone('UTC'))
  t.notOk(isTimeZone('Mars/Olympus'))
  t.notOk(isTimeZone(''))
  // IST is UTC+05:30 all year: 09:00 IST on 1 Dec = 03:30 UTC.
  t.equal(iso(zonedInstant('Asia/Kolkata', 2026, 12, 1, 9, 0)), '2026-12-01T03:30:00.000Z')
  // New York, 8 March 2026: clocks go from 02:00 EST to 03:00 EDT. 02:30 does not exist;
  // read with the offset before the change (-5h): 07:30 UTC, which New York shows as 03:30 EDT.
  t.equal(iso(zonedInstant('America/New_York', 2026, 3, 8, 2, 30)), '2026-03-08T07:30:00.000Z')
  // 1 November 2026: 01:30 happens twice (EDT -4h, then EST -5h): the earlier, 05:30 UTC.
  t.equal(iso(zonedInstant('America/New_York', 2026, 11, 1, 1, 30)), '2026-11-01T05:30:00.000Z')
})

t.test('snooze choices in the user time zone', async (t) => {
  // Tuesday 1 Dec 2026, 15:30 IST (10:00 UTC).
  let p = snoozePresets(at('2026-12-01T10:00:00Z'), 'Asia/Kolkata')
  t.equal(iso(p.hour), '2026-12-01T11:00:00.000Z', 'in an hour')
  t.equal(iso(p.evening), '2026-12-01T12:30:00.000Z', 'this evening: 18:00 IST = 12:30 UTC')
  t.equal(iso(p.tomorrow), '2026-12-02T03:30:00.000Z', 'tomorrow 09:00 IST')
  t.equal(iso(p.next_week), '2026-12-07T03:30:00.000Z', 'Tuesday -> next Monday 7 Dec, 09:00 IST')
  // 17:30 IST: this evening is 30 min away, less than the hour choice: tomorrow evening.
  p = snoozePresets(at('2026-12-01T12:00:00Z'), 'Asia/Kolkata')
  t.equal(iso(p.evening), '2026-12-02T12:30:00.000Z')
  // Monday 7 Dec 08:30 IST: next week is the Monday after, 14 Dec.
  t.equal(iso(snoozePresets(at('2026-12-07T03:00:00Z'), 'Asia/Kolkata').next_week), '2026-12-14T03:30:00.000Z')
  // Sunday 6 Dec 15:30 IST: next week is tomorrow, Monday 7 Dec.
  t.equal(iso(snoozePresets(at('2026-12-06T10:00:00Z'), 'Asia/Kolkata').next_week), '2026-12-07T03:30:00.000Z')
  // New York, Saturday 31 Oct 2026 16:00 EDT (20:00 UTC); the clocks go back that night,
  // so tomorrow 09:00 is EST (-5h): 14:00 UTC, not 13:00.
  p = snoozePresets(at('2026-10-31T20:00:00Z'), 'America/New_York')
  t.equal(iso(p.tomorrow), '2026-11-01T14:00:00.000Z')
  t.equal(iso(p.next_week), '2026-11-02T14:00:00.000Z')
  t.equal(iso(p.evening), '2026-10-31T22:00:00.000Z', '18:00 EDT')
})

t.test('snooze limits', async (t) => {
  const now = at('2026-12-01T10:00:00Z')
  t.equal(snoozeProblem(now - 1, now), 'until must be in the future')
  t.equal(snoozeProblem(now, now), 'until must be in the future')
  t.equal(snoozeProblem(now + 30 * 86_400_000, now), null, 'exactly 30 days is allowed')
  t.equal(snoozeProblem(now + 30 * 86_400_000 + 1, now), 'until must be at most 30 days from now')
  t.equal(snoozeProblem(NaN, now), 'until must be a date and time')
})

t.test('quiet hours', async (t) => {
  const night = { start: '22:00', end: '07:00', time_zone: 'Asia/Kolkata' }
  t.equal(quietHoursProblem(night), null)
  t.match(quietHoursProblem({ ...night, start: '24:00' }), /times like 22:00/)
  t.match(quietHoursProblem({ ...night, end: '7:00' }), /times like 22:00/)
  t.match(quietHoursProblem({ ...night, end: '22:00' }), /different times/)
  t.match(quietHoursProblem({ ...night, time_zone: 'Mars/Olympus' }), /unknown time zone/)
  // 23:00 IST = 17:30 UTC; 06:59 IST = 01:29 UTC; 07:00 IST = 01:30 UTC.
  t.ok(inQuietHours(at('2026-12-01T17:30:00Z'), night), '23:00 is quiet')
  t.ok(inQuietHours(at('2026-12-02T01:29:00Z'), night), '06:59 is quiet')
  t.notOk(inQuietHours(at('2026-12-02T01:30:00Z'), night), '07:00 is not')
  t.notOk(inQuietHours(at('2026-12-01T06:30:00Z'), night), 'noon is not')
  t.notOk(inQuietHours(at('2026-12-01T17:30:00Z'), null), 'no quiet hours')
  const lunch = { start: '13:00', end: '14:00', time_zone: 'UTC' }
  t.ok(inQuietHours(at('2026-12-01T13:30:00Z'), lunch))
  t.notOk(inQuietHours(at('2026-12-01T14:00:00Z'), lunch))
  // From 23:00 IST on 1 Dec the quiet ends at 07:00 IST on 2 Dec (01:30 UTC);
  // from 06:00 IST on 2 Dec (00:30 UTC) it ends the same morning.
  t.equal(iso(quietHoursEndAfter(at('2026-12-01T17:30:00Z'), night)), '2026-12-02T01:30:00.000Z')
  t.equal(iso(quietHoursEndAfter(at('2026-12-02T00:30:00Z'), night)), '2026-12-02T01:30:00.000Z')
})

t.test('what a notification may show', async (t) => {
  const off = { inbox: true, toast: false, desktop: false }
  const noon = at('2026-12-01T06:30:00Z')
  const night = { start: '22:00', end: '07:00', time_zone: 'Asia/Kolkata' }
  t.same(alertFor('comment', {}, null, noon), { toast: true, desktop: true }, 'on by default')
  t.same(alertFor('comment', { comment: { inbox: true, toast: false, desktop: true } }, null, noon), { toast: false, desktop: true })
  t.same(alertFor('system', { system: off }, null, noon), { toast: true, desktop: true }, 'system cannot be turned off')
  t.same(alertFor('system', {}, night, at('2026-12-01T17:30:00Z')), { toast: false, desktop: false }, 'quiet hours show nothing, system included')
})
