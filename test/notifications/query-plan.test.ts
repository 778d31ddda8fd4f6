/** The hot queries are index lookups: EXPLAIN QUERY PLAN, never a full scan. */
import type Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { buildTestApp, createUser } from '../helper.js'

// The statements of src/domains/notifications/service.ts, verbatim.
const UNREAD_COUNT = 'SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL'
const LAST_ID = 'SELECT coalesce(max(id), 0) FROM notifications WHERE user_id = ?'

/** A site with 1000 more users and the rows `rows` inserts, ANALYZEd so the planner has statistics. */
async function siteWith(t: Test, rows: string) {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  // SQLite's planner: these checks are about the SQLite indexes.
  const sqlite = s.app.db.$client as Database.Database
  const alice = await createUser(s.app)
  sqlite.exec(`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000)
    INSERT INTO users (username, password_hash) SELECT 'u' || n, '!' FROM seq`)
  sqlite.exec(rows)
  sqlite.exec('ANALYZE')
  const plan = (sql: string, ...args: unknown[]) =>
    (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join(' | ')
  return { s, alice, plan }
}

t.test('unread count uses the partial index; last id and paging use (user_id, id)', async (t) => {
  // A realistic shape: many users, most rows read.
  const { s, alice, plan } = await siteWith(t, `
    WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 200000)
    INSERT INTO notifications (user_id, kind, title, message, created_at, read_at)
    SELECT 2 + (n % 1000), 'system', 't', '', n, CASE WHEN n % 10 = 0 THEN NULL ELSE n END FROM seq`)

  const unread = plan(UNREAD_COUNT, alice.id)
  t.match(unread, /SEARCH notifications USING (COVERING )?INDEX notifications_unread_idx \(user_id=\?\)/, `unread count: ${unread}`)
  t.notMatch(unread, /SCAN/, 'no scan')

  const last = plan(LAST_ID, alice.id)
  t.match(last, /notifications_user_id_idx/, `last id: ${last}`)
  t.notMatch(last, /SCAN/)

  const list = plan('SELECT id FROM notifications WHERE user_id = ? AND id < ? ORDER BY id DESC LIMIT 20', alice.id, 1e9)
  t.match(list, /SEARCH notifications USING (COVERING )?INDEX notifications_user_id_idx \(user_id=\? AND (rowid|id)<\?\)/, `paging: ${list}`)
  t.notMatch(list, /TEMP B-TREE/, 'no sort step')

  const since = plan('SELECT id FROM notifications WHERE user_id = ? AND id > ? ORDER BY id LIMIT 201', alice.id, 0)
  t.match(since, /notifications_user_id_idx \(user_id=\? AND (rowid|id)>\?\)/, `since= replay: ${since}`)

  // And it is fast: the count of a user with 200 rows among 200k.
  const started = performance.now()
  for (let i = 0; i < 1000; i++) await s.app.notifications.counts(2 + (i % 1000))
  const perCount = (performance.now() - started) / 1000
  t.ok(perCount < 1, `unread count takes ${(perCount * 1000).toFixed(0)} µs at 200k rows`)
  t.equal((await s.app.notifications.counts(2)).unread_count, 200, 'a user with 200 unread')
  t.equal((await s.app.notifications.counts(3)).unread_count, 0, 'a user with 200 read')
})

t.test('inbox state: the archived and snoozed views, the snooze wake-up and unread by kind are index lookups', async (t) => {
  const { alice, plan } = await siteWith(t, `
    WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 100000)
    INSERT INTO notifications (user_id, kind, title, message, created_at, read_at, archived_at, snoozed_until)
    SELECT 2 + (n % 1000), 'system', 't', '', n, n, CASE WHEN n % 7 = 0 THEN n END, CASE WHEN n % 50 = 1 THEN n END FROM seq`)

  const archived = plan('SELECT id FROM notifications WHERE user_id = ? AND archived_at IS NOT NULL ORDER BY id DESC LIMIT 20', alice.id)
  t.match(archived, /notifications_archived_idx/, `archived view: ${archived}`)
  t.notMatch(archived, /SCAN|TEMP B-TREE/)
  const snoozed = plan('SELECT id FROM notifications WHERE user_id = ? AND snoozed_until IS NOT NULL ORDER BY id DESC LIMIT 20', alice.id)
  t.match(snoozed, /notifications_snoozed_idx/, `snoozed view: ${snoozed}`)
  t.notMatch(snoozed, /SCAN|TEMP B-TREE/)
  const due = plan('SELECT id FROM notifications WHERE snoozed_until IS NOT NULL AND snoozed_until <= ? ORDER BY snoozed_until LIMIT 500', Date.now())
  t.match(due, /notifications_snooze_due_idx/, `wake-up: ${due}`)
  t.notMatch(due, /SCAN notifications\b(?! USING)/)
  const byKind = plan('SELECT kind, count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL GROUP BY kind', alice.id)
  t.match(byKind, /notifications_unread_idx/, `unread by kind: ${byKind}`)
  const inbox = plan('SELECT id FROM notifications WHERE user_id = ? AND archived_at IS NULL AND snoozed_until IS NULL ORDER BY id DESC LIMIT 20', alice.id)
  t.match(inbox, /notifications_user_id_idx/, `inbox: ${inbox}`)
  t.notMatch(inbox, /TEMP B-TREE/)
})
