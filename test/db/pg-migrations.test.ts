/**
 * ./migrations-pg on a real PostgreSQL: applied to a fresh database they create every
 * table of the mirror with its columns and types, and the SQLite table objects (what the
 * services use) write and read rows through node-postgres drizzle with the right JS types.
 * Skipped with a message when PostgreSQL does not answer at TEST_DATABASE_URL.
 */
import t from 'tap'
import pg from 'pg'
import { eq, getTableName, is } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import * as mirror from '../../src/db/schema.pg.js'
import { notificationChannels, notifications, users } from '../../src/db/schema.js'
import { DATABASE_URL, postgresProblem, scratchDatabase } from './fixtures/postgres.js'

const problem = await postgresProblem()
if (problem) {
  t.skip(`PostgreSQL not reachable at TEST_DATABASE_URL (${DATABASE_URL}): ${problem}`, () => {})
} else {
  // As the app will: int8 (epoch milliseconds, paise) comes back as a Number, not a string.
  pg.types.setTypeParser(20, (v) => Number(v))

  t.test('migrations-pg creates every mirrored table and the SQLite tables run on it', async (t) => {
    const scratch = await scratchDatabase('pgschema')
    t.teardown(() => scratch.drop())
    const db = drizzle(scratch.pool)
    await migrate(db, { migrationsFolder: './migrations-pg' })

    const tables: PgTable[] = Object.values(mirror).filter((v) => is(v, PgTable))
    for (const table of tables) {
      const { rows } = await scratch.pool.query<{ column_name: string; data_type: string; is_nullable: string }>(
        `SELECT column_name, data_type, is_nullable FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
        [getTableName(table)],
      )
      const want = getTableConfig(table).columns.map((c) => [c.name, c.getSQLType(), c.notNull ? 'NO' : 'YES'])
      t.strictSame(
        rows.map((r) => [r.column_name, r.data_type, r.is_nullable]),
        want,
        `${getTableName(table)}: columns, types, nullability`,
      )
    }
    const { rows: all } = await scratch.pool.query(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'`)
    t.equal(all[0].n, tables.length, 'no other tables')

    // The services hand SQLite table objects to a PostgreSQL drizzle; the types only know PgTable.
    const pgUsers = users as unknown as typeof mirror.users
    const pgNotifications = notifications as unknown as typeof mirror.notifications
    const pgChannels = notificationChannels as unknown as typeof mirror.notificationChannels

    const before = Date.now()
    const [user] = await db.insert(pgUsers).values({ username: 'ana', passwordHash: '!' }).returning()
    t.equal(typeof user!.id, 'number', 'identity id is a number')
    t.equal(user!.isAdmin, false, 'is_admin default reads back as false')
    t.equal(typeof user!.createdAt, 'number', 'created_at default (bigint) reads back as a number')
    t.ok(user!.createdAt >= before - 1000 && user!.createdAt <= Date.now() + 1000, 'created_at default is now, in milliseconds')

    const [admin] = await db.insert(pgUsers).values({ username: 'bo', passwordHash: '!', isAdmin: true }).returning()
    t.equal(admin!.isAdmin, true, 'is_admin true reads back as true')
    t.ok(admin!.id > user!.id, 'ids increase')

    const createdAt = 1_900_000_000_123
    await db.insert(pgNotifications).values({ userId: user!.id, kind: 'system', title: 'Hello', createdAt, actorId: admin!.id })
    const [row] = await db.select().from(pgNotifications).where(eq(pgNotifications.userId, user!.id))
    t.match(row, { userId: user!.id, kind: 'system', title: 'Hello', message: '', readAt: null, createdAt, actorId: admin!.id })
    t.equal(typeof row!.id, 'number', 'notification id is a number')
    t.equal(row!.createdAt, createdAt, 'a millisecond time past 2^31 comes back whole')

    await db.insert(pgChannels).values({ userId: user!.id, kind: 'system', inbox: false, toast: true, desktop: false })
    const [channel] = await db.select().from(pgChannels).where(eq(pgChannels.userId, user!.id))
    t.strictSame([channel!.inbox, channel!.toast, channel!.desktop], [false, true, false], 'booleans read back as booleans')

    await db.delete(pgUsers).where(eq(pgUsers.id, user!.id))
    const left = await db.select().from(pgNotifications).where(eq(pgNotifications.userId, user!.id))
    t.equal(left.length, 0, 'deleting the user cascades to its notifications')
  })
}
