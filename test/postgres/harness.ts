/**
 * Runs existing test files against PostgreSQL. A file in test/postgres/ names the test files
 * of one domain; `onPostgres` switches the test helpers to PostgreSQL (TEST_DIALECT=postgres)
 * and imports them in turn, so their tests run unchanged, one after another, in this one
 * process (a process per file spent ~3 s of CPU each just starting: tsx, tap, the app).
 * Every app the helpers build gets a fresh schema in the database at TEST_DATABASE_URL
 * (apps given the same DATABASE_PATH share one, as they would share the file); all of them
 * are dropped when the file's tests end.
 * Without a PostgreSQL answering there, the file skips with a message saying so.
 */
import { createHash, randomBytes } from 'node:crypto'
import pg from 'pg'
import t from 'tap'
import { DATABASE_URL as TEST_DATABASE_URL, postgresProblem } from '../db/fixtures/postgres.js'

export { DATABASE_URL as TEST_DATABASE_URL, postgresProblem } from '../db/fixtures/postgres.js'

export const onPostgresNow = () => process.env.TEST_DIALECT === 'postgres'

export async function onPostgres(...files: Array<() => Promise<unknown>>): Promise<void> {
  const problem = await postgresProblem()
  if (problem) {
    t.skip(`PostgreSQL is not answering at TEST_DATABASE_URL=${TEST_DATABASE_URL} (${problem}): these tests ran on SQLite only`, () => {})
    return
  }
  process.env.TEST_DIALECT = 'postgres'
  for (const load of files) await load()
  // The files' own t.setTimeout calls (300-400 s each) would leave the last one's for all
  // of them: the group gets 10 minutes (6-60 s on a quiet machine, a few times that in CI).
  t.setTimeout(600_000)
}

const run = randomBytes(3).toString('hex')
let seq = 0
const created = new Set<string>()
let admin: pg.Client | null = null

async function adminClient(): Promise<pg.Client> {
  if (!admin) {
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL })
    await admin.connect()
    // A drop waiting on a lock held by a pool that failed to close gives up instead of hanging the file.
    await admin.query(`set lock_timeout = '10s'`)
    t.teardown(async () => {
      // A schema left behind (a lock still held by a closing pool) is harmless: names are unique.
      for (const schema of created) await admin!.query(`drop schema if exists "${schema}" cascade`).catch((err: Error) => t.comment(`schema ${schema} left: ${err.message}`))
      await admin!.end()
      lingerReport()
    })
  }
  return admin
}

/**
 * After the teardown nothing should keep the process alive. Once in CI something did: the
 * file's tests had all passed and reported, and tap killed it at its timeout (SIGALRM) with
 * nothing to blame. (Likely cause, fixed: the snooze wake-up's interval started after an
 * app closed during its first pass, src/domains/notifications/index.ts.) If it happens again,
 * this names what holds the process on stderr and ends it with the tests' own exit status,
 * so the log keeps the evidence and the run its result.
 */
function lingerReport(): void {
  setTimeout(() => {
    const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles()
    const described = handles.map((h) => {
      const s = h as { constructor: { name: string }; remoteAddress?: string; remotePort?: number; localPort?: number }
      return `${s.constructor.name}${s.remotePort ? ` ${s.remoteAddress}:${s.remotePort} from :${s.localPort}` : ''}`
    })
    process.stderr.write(`# LINGER: still alive 15 s after the tests ended; resources: ${process.getActiveResourcesInfo().join(', ')}; handles: ${described.join(', ')}\n`)
    process.exit()
  }, 15_000).unref()
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
  url.searchParams.set('options', `-c search_path=${schema} -c synchronous_commit=off`)
  return url.toString()
}
