/**
 * The PostgreSQL row's database: a fresh database on the server named by BENCH_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres), one per run, dropped when the
 * benchmark is done with it, and in any case when the benchmark process exits (error,
 * global timeout, Ctrl-C): the exit handler can only run synchronous code, so it drops
 * the database from a child process (this file run as `node bench/pg-database.js drop
 * <admin-url> <name>`).
 *
 * DROP DATABASE ... WITH (FORCE) needs PostgreSQL 13 or later: a server killed by the
 * timeout may leave its connections behind for a moment, and they would block the drop.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

const THIS_FILE = fileURLToPath(import.meta.url)

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** The URL without its password, for messages. */
export function redact(url) {
  return url.replace(/:[^:@/]*@/, ':***@')
}

function withDatabase(url, name) {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

async function withClient(url, fn) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

/** null when PostgreSQL answers at `url`, else the reason it does not. */
export async function unreachable(url = ADMIN_URL) {
  try {
    await withClient(url, (c) => c.query('SELECT 1'))
    return null
  } catch (err) {
    return `PostgreSQL at ${redact(url)} does not answer (${err.message || err.code || err})`
  }
}

async function dropDatabase(adminUrl, name) {
  await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
}

/**
 * Creates `pulse_bench_<pid>_<ms>` and returns its URL and `drop()`, which is also
 * registered for process exit until it has run once.
 */
export async function createBenchDatabase(adminUrl = ADMIN_URL) {
  const name = `pulse_bench_${process.pid}_${Date.now()}`
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`))
  let dropped = false
  const onExit = () => {
    if (dropped) return
    dropped = true
    const r = spawnSync(process.execPath, [THIS_FILE, 'drop', adminUrl, name], { encoding: 'utf8', timeout: 20_000 })
    if (r.status !== 0) console.error(`bench: could not drop database ${name}: ${r.stderr || r.error}`)
  }
  process.on('exit', onExit)
  return {
    name,
    url: withDatabase(adminUrl, name),
    async drop() {
      if (dropped) return
      await dropDatabase(adminUrl, name)
      dropped = true
      process.off('exit', onExit)
    },
  }
}

if (process.argv[1] === THIS_FILE && process.argv[2] === 'drop') {
  const [, , , adminUrl, name] = process.argv
  if (!/^pulse_bench_\d+_\d+$/.test(name ?? '')) {
    console.error(`refusing to drop "${name}": not a benchmark database`)
    process.exit(2)
  }
  dropDatabase(adminUrl, name).then(
    () => process.exit(0),
    (err) => {
      console.error(err.message)
      process.exit(1)
    },
  )
}
