/**
 * invoice_overdue: once per invoice when its due date has passed unpaid; the
 * scheduler checks at start and periodically, and never notifies twice, across
 * restarts and with several app instances (and threads) on one SQLite file.
 */
import { sql } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { onPostgresNow } from '../postgres/harness.js'
import t, { type Test } from 'tap'
import type { TestApp } from '../helper.js'
import { buildTestApp, connectReady, createUser, type Frame, sqlRows } from '../helper.js'
import { draftOf, ist, seedBusiness } from './fixtures/seed.js'

function tempDb(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'billing-overdue-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'app.db')
}

/** Builds an app whose overdue scheduler ticks every `intervalMs`. */
async function buildWithInterval(t: Test, intervalMs: number, overrides: Parameters<typeof buildTestApp>[0], now: () => number): Promise<TestApp> {
  const s = await buildTestApp({ ...overrides, overdueCheckIntervalMs: intervalMs }, { now })
  t.teardown(() => s.close())
  return s
}

/** The check at start runs in an onListen hook, after listen() resolved: until `seen`, or a moment (nothing to see). */
async function startCheckDone(seen: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 30 && !(await seen()); i++) await new Promise((resolve) => setTimeout(resolve, 10))
}

function overdueRows(s: TestApp) {
  return sqlRows<{ user_id: number; link_url: string }>(s.app, sql`SELECT user_id, link_url FROM notifications WHERE kind = 'invoice_overdue' ORDER BY id`)
}

async function issue(s: TestApp, userId: number, customerId: number, productId: number, dueDate: string) {
  return s.app.billing.createInvoice(userId, draftOf(customerId, [{ productId }], dueDate), { issue: true })
}

t.test('overdue once, the day after the due date (Indian time), only for unpaid issued invoices', async (t) => {
  let now = ist('2026-08-01T10:00')
  const s = await buildTestApp({}, { now: () => now })
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const b = await seedBusiness(s.app, bob.id)
  const due = await issue(s, alice.id, a.local.id, a.widget.id, '2026-08-10')
  const paid = await issue(s, alice.id, a.local.id, a.widget.id, '2026-08-10')
  await s.app.billing.markPaid(alice.id, paid.id)
  const draft = await s.app.billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }], '2026-08-10'), { issue: false })
  t.equal(draft.status, 'draft')
  const later = await issue(s, bob.id, b.local.id, b.widget.id, '2026-08-20')

  const ac = await connectReady(url, { token: alice.token })
  const bc = await connectReady(url, { token: bob.token })
  t.teardown(async () => {
    await ac.client.close()
    await bc.client.close()
  })

  const aliceMark = ac.client.mark()
  const bobMark = bc.client.mark()
  now = ist('2026-08-10T23:59')
  t.equal(await s.app.billing.notifyOverdue(), 0, 'not overdue on its due date')
  t.equal((await s.app.billing.getInvoice(alice.id, due.id))!.status, 'issued')
  now = ist('2026-08-11T00:00')
  t.equal(await s.app.billing.notifyOverdue(), 1, 'overdue from the next day')
  t.equal(await s.app.billing.notifyOverdue(), 0, 'never twice')
  const f = await ac.client.next('notification')
  t.match(f.notification, {
    kind: 'invoice_overdue',
    title: `Invoice ${due.number} is overdue`,
    message: '₹590.00 from Local Buyer was due on 2026-08-10',
    link_url: `/billing/invoices/${due.id}`,
    link_text: 'View invoice',
  })
  t.equal((await ac.client.since(aliceMark, 150, 'notification')).length, 1, 'alice got it once')
  t.same(await bc.client.since(bobMark, 50), [], 'bob got nothing')
  t.equal((await s.app.billing.getInvoice(alice.id, due.id))!.status, 'overdue')
  t.same((await s.app.billing.listInvoices(alice.id, { status: 'overdue' })).map((i) => i.id), [due.id])
  t.same(await s.app.billing.listInvoices(alice.id, { status: 'issued' }), [])

  // paying an overdue invoice works and does not re-arm the overdue notice
  await s.app.billing.markPaid(alice.id, due.id)
  t.equal((await ac.client.next('notification')).notification.kind, 'invoice_paid')
  const afterPaid = ac.client.mark()
  now = ist('2026-08-21T09:00')
  t.equal(await s.app.billing.notifyOverdue(), 1, "bob's invoice falls due later")
  t.equal((await bc.client.next('notification')).notification.title, `Invoice ${later.number} is overdue`)
  t.same(await ac.client.since(afterPaid, 150, 'notification'), [], 'alice got nothing for bob')
  t.equal((await overdueRows(s)).length, 2)
})

t.test('the server checks at start and every interval; a restart does not notify again', async (t) => {
  const path = tempDb(t)
  let now = ist('2026-08-01T10:00')
  const s1 = await buildWithInterval(t, 40, { databasePath: path }, () => now)
  const url = await s1.listen()
  const alice = await createUser(s1.app)
  const a = await seedBusiness(s1.app, alice.id)
  const inv = await issue(s1, alice.id, a.remote.id, a.service.id, '2026-08-05')
  const { client } = await connectReady(url, { token: alice.token })
  const connected = client.mark()
  t.same(await client.since(connected, 150, 'notification'), [], 'nothing is due yet')

  now = ist('2026-08-06T08:00') // the clock moves; the periodic check notices
  const f = await client.next('notification', 3000)
  t.match(f.notification, { kind: 'invoice_overdue', link_url: `/billing/invoices/${inv.id}` })
  t.equal((await client.since(connected, 250, 'notification')).length, 1, 'several ticks later: still once')
  await client.close()
  await s1.close()

  // A second invoice falls due while the server is down; the restart finds it at start, and only it.
  const s2 = await buildWithInterval(t, 0, { databasePath: path }, () => now)
  const second = await issue(s2, alice.id, a.local.id, a.widget.id, '2026-08-06')
  now = ist('2026-08-08T08:00')
  t.equal((await overdueRows(s2)).length, 1, 'before the restart check: one notice')
  await s2.listen()
  await startCheckDone(async () => (await overdueRows(s2)).length >= 2)
  const rows = await overdueRows(s2)
  t.same(rows.map((r) => r.link_url), [`/billing/invoices/${inv.id}`, `/billing/invoices/${second.id}`], 'the check at start notified the new one, not the old one again')
  await s2.close()
  const s3 = await buildWithInterval(t, 0, { databasePath: path }, () => now)
  await s3.listen()
  await startCheckDone(() => false)
  t.equal((await overdueRows(s3)).length, 2, 'another restart adds nothing')
})

t.test('two app instances on one SQLite file, both scheduling: each invoice notified once', async (t) => {
  const path = tempDb(t)
  let now = ist('2026-09-01T10:00')
  const s1 = await buildWithInterval(t, 15, { databasePath: path }, () => now)
  const s2 = await buildWithInterval(t, 15, { databasePath: path }, () => now)
  const url1 = await s1.listen()
  const url2 = await s2.listen()
  const alice = await createUser(s1.app)
  const bob = await createUser(s1.app)
  const a = await seedBusiness(s1.app, alice.id)
  const N = 12
  const ids = new Set<number>()
  for (let i = 0; i < N; i++) ids.add((await issue(i % 2 ? s1 : s2, alice.id, a.local.id, a.widget.id, '2026-09-10')).id)
  // alice has a socket on each instance (the local bus delivers within one process), bob one on each
  const sockets = [await connectReady(url1, { token: alice.token }), await connectReady(url2, { token: alice.token })]
  const bobs = [await connectReady(url1, { token: bob.token }), await connectReady(url2, { token: bob.token })]
  t.teardown(async () => {
    for (const c of [...sockets, ...bobs]) await c.client.close()
  })

  now = ist('2026-09-11T10:00')
  // both schedulers tick every 15 ms; the tests' own calls race them too
  const direct = [await s1.app.billing.notifyOverdue(5), await s2.app.billing.notifyOverdue(5)]
  const deadline = Date.now() + 5000
  while ((await overdueRows(s1)).length < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  await new Promise((r) => setTimeout(r, 300)) // many more ticks on both
  const rows = await overdueRows(s1)
  t.equal(rows.length, N, `${N} notices for ${N} invoices`)
  t.same(new Set(rows.map((r) => Number(r.link_url.split('/').pop()))), ids, 'one for each invoice')
  t.ok(rows.every((r) => r.user_id === alice.id))
  t.ok(direct[0]! + direct[1]! <= N)

  const pushed: Frame[] = sockets.flatMap((s) => s.client.ofType('notification'))
  t.equal(pushed.length, N, 'every notice was pushed once, by the instance that claimed it')
  t.equal(new Set(pushed.map((f) => f.notification.id)).size, N)
  for (const b of bobs) t.same(b.client.ofType('notification'), [], 'bob got nothing')
})

t.test('threads racing the overdue check on one file claim each invoice exactly once', { skip: onPostgresNow() && 'worker threads open the SQLite file itself; on PostgreSQL test/scale/postgres-site.test.ts races two processes' }, async (t) => {
  const path = tempDb(t)
  const s = await buildTestApp({ databasePath: path }, { now: () => ist('2026-10-01T10:00') })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const N = 40
  for (let i = 0; i < N; i++) await issue(s, alice.id, a.local.id, a.widget.id, '2026-10-05')
  const now = ist('2026-10-06T10:00')
  const workers = Array.from({ length: 3 }, () => new Worker(new URL('./fixtures/overdue-worker.mjs', import.meta.url), { workerData: { path, now, rounds: 5 } }))
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))))
  const results = workers.map((w) => new Promise<number>((resolve, reject) => (w.once('message', resolve), w.once('error', reject))))
  for (const w of workers) w.postMessage('go')
  const claimed = await Promise.all(results)
  t.equal(claimed.reduce((x, y) => x + y, 0), N, `the threads claimed ${claimed.join(' + ')} = ${N}`)
  t.equal((await overdueRows(s)).length, N)
  t.equal(new Set((await overdueRows(s)).map((r) => r.link_url)).size, N, 'no invoice twice')
})
