/**
 * Several machines: server processes that share only PostgreSQL (DATABASE_URL) and Redis,
 * each with a DATABASE_PATH of its own that must stay unused. They migrate one empty database
 * together once, number invoices issued concurrently through both without a gap or a repeat,
 * and notify an overdue invoice once. (Notifications, logout, presence and the rate limit
 * across such processes: test/postgres/scale.test.ts runs the two-process tests on PostgreSQL.)
 */
import { eq } from 'drizzle-orm'
import { existsSync } from 'node:fs'
import pg from 'pg'
import t from 'tap'
import { notifications } from '../../src/db/schema.js'
import { buildTestApp, connectReady, type TestUser } from '../helper.js'
import { draftOf, seedBusiness } from '../billing/fixtures/seed.js'
import { postgresProblem, testDatabaseUrl, TEST_DATABASE_URL } from '../postgres/harness.js'
import { JWT_SECRET, post, redisProblem, REDIS_URL, sharedSite, startServers, until, type ServerProcess } from './fixtures/servers.js'

t.setTimeout(300_000)

const problem = (await postgresProblem()) ?? (await redisProblem().then((p) => (p ? `Redis at ${REDIS_URL}: ${p}` : null)))
if (problem) {
  t.skip(`needs PostgreSQL at TEST_DATABASE_URL=${TEST_DATABASE_URL} and Redis: ${problem}`, () => {})
} else {
  process.env.TEST_DIALECT = 'postgres'

  t.test('two processes starting together on an empty database migrate it once', async (t) => {
    const url = await testDatabaseUrl(`/migrate-race-${process.pid}`)
    const [A, B] = (await startServers(t, { DATABASE_URL: url, JWT_SECRET, REDIS_URL, REDIS_PREFIX: `test:pgsite:${process.pid}:m:` }, 2)) as [ServerProcess, ServerProcess]
    t.ok(A.url && B.url, 'both came up')
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    t.teardown(() => client.end())
    const applied = await client.query<{ n: number; d: number }>('select count(*)::int as n, count(distinct hash)::int as d from __drizzle_migrations')
    t.ok(applied.rows[0]!.n > 0, `${applied.rows[0]!.n} migrations applied`)
    t.equal(applied.rows[0]!.n, applied.rows[0]!.d, 'each once')
  })

  t.test('invoice numbers and overdue notices across two processes on one PostgreSQL', async (t) => {
    const { site, local, users } = await sharedSite(t, { users: 2 })
    const [alice, bob] = users as [TestUser, TestUser]
    const seeded = await seedBusiness(local.app, alice.id)

    // An invoice issued 40 days ago, due 30 days ago: both processes look for overdue
    // invoices at start and then every 100 ms.
    const day = 86_400_000
    const past = await buildTestApp({ databasePath: site.databasePath, jwtSecret: JWT_SECRET }, { now: () => Date.now() - 40 * day })
    t.teardown(() => past.close())
    const dueDate = new Date(Date.now() - 30 * day + 5.5 * 3_600_000).toISOString().slice(0, 10)
    const overdue = await past.app.billing.createInvoice(alice.id, draftOf(seeded.local.id, [{ productId: seeded.widget.id }], dueDate), { issue: true })

    const [A, B] = (await startServers(t, { ...site.env, OVERDUE_CHECK_INTERVAL_MS: '100' }, 2)) as [ServerProcess, ServerProcess]
    const watch = await connectReady(B.url, { token: alice.token })
    const bobSocket = await connectReady(A.url, { token: bob.token })
    const bobMark = bobSocket.client.mark()
    t.teardown(async () => {
      await watch.client.close()
      await bobSocket.client.close()
    })

    // Numbering: 20 issues through each process at once.
    const PER = 20
    const issue = (s: ServerProcess) => post(`${s.url}/api/billing/invoices`, alice.token, { customer_id: seeded.local.id, lines: [{ product_id: seeded.widget.id, quantity: '1' }] })
    const answers = await Promise.all([...Array.from({ length: PER }, () => issue(A)), ...Array.from({ length: PER }, () => issue(B))])
    t.same(
      answers.map((a) => a.status),
      Array(2 * PER).fill(201),
      'every issue answered 201',
    )
    const numbers = [overdue.number!, ...answers.map((a) => a.json.invoice.number as string)]
    const prefix = overdue.number!.slice(0, overdue.number!.lastIndexOf('/') + 1)
    const expected = Array.from({ length: numbers.length }, (_, i) => `${prefix}${String(i + 1).padStart(5, '0')}`)
    t.same([...numbers].sort(), expected, `${numbers.length} numbers from 00001 without a gap or a repeat`)

    // Overdue: both processes checked at start (perhaps before alice's socket was there)
    // and then every 100 ms: one notification, whichever process claimed it.
    const overdueRows = () => local.app.db.select({ userId: notifications.userId, link: notifications.linkUrl }).from(notifications).where(eq(notifications.kind, 'invoice_overdue'))
    await until('the overdue notice', async () => (await overdueRows()).length > 0, 10_000)
    await new Promise((r) => setTimeout(r, 1000))
    t.same(await overdueRows(), [{ userId: alice.id, link: `/billing/invoices/${overdue.id}` }], 'one overdue notification, for alice, after ten more checks by each process')
    t.ok(watch.client.frames.filter((f) => f.type === 'notification' && f.notification?.kind === 'invoice_overdue').length <= 1, 'at most one frame of it')
    t.same(await bobSocket.client.since(bobMark, 200, 'notification'), [], 'bob got none of it')

    // Nothing went through a local file.
    for (const s of [A, B]) {
      const path = await until('the server has started', () => s.lines.find((l) => l.includes('serving')))
      t.notOk(/\.db\b/.test(path), `${s.url} names no database file: ${JSON.parse(path).msg}`)
    }
    t.notOk(existsSync(site.databasePath), 'the site path was never created as a file')
  })
}
