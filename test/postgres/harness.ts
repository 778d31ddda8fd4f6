/**
 * Runs existing test files against PostgreSQL. A file in test/postgres/ names one test file;
 * `onPostgres` switches the test helpers to PostgreSQL (TEST_DIALECT=postgres) and imports
 * it, so its tests run unchanged in this process. Every app the helpers build gets a fresh
 * schema in the database at TEST_DATABASE_URL (apps given the same DATABASE_PATH share one,
 * as they would share the file); all of them are dropped when the file's tests end.
 * Without a PostgreSQL answering there, the file skips with a message saying so.
 */
import { createHash, randomBytes } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { DATABASE_URL as TEST_DATABASE_URL, postgresProblem } from '../db/fixtures/postgres.js'

export { DATABASE_URL as TEST_DATABASE_URL, postgresProblem } from '../db/fixtures/postgres.js'

export const onPostgresNow = () => process.env.TEST_DIALECT === 'postgres'

export async function onPostgres(load: () => Promise<unknown>): Promise<void> {
  const problem = await postgresProblem()
  if (problem) {
    t.skip(`PostgreSQL is not answering at TEST_DATABASE_URL=${TEST_DATABASE_URL} (${problem}): these tests ran on SQLite only`, () => {})
    return
  }
  process.env.TEST_DIALECT = 'postgres'
  await load()
}

const run = randomBytes(3).toString('hex')
let seq = 0
const created = new Set<string>()
let admin: pg.Client | null = null

async function adminClient(): Promise<pg.Client> {
  if (!admin) {
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await admin.connect()
    t.teardown(async () => {
      // A schema left behind (a lock still held by a closing pool) is harmless: names are unique.
      for (const schema of created) await admin!.query(`drop schema if exists "${schema}" cascade`).catch((err: Error) => t.comment(`schema ${schema} left: ${err.message}`))
      await admin!.end()
    })
  }
  return admin
}

/**
 * A connection string whose search_path is a schema of its own: `:memory:` gets a new one
 * each time; a file path always maps to the same one in this process.
 */
export async function testDatabaseUrl(databasePath: string): Promise<string> {
  const suffix = databasePath === ':memory:' ? String(++seq) : createHash('sha1').update(databasePath).digest('hex').slice(0, 10)
  const schema = `pulse_test_${run}_${process.pid}_${suffix}`
  if (!created.has(schema)) {
    await (await adminClient()).query(`create schema if not exists "${schema}"`)
    created.add(schema)
  }
  const url = new URL(TEST_DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return url.toString()
}
