/**
 * `npm run cli -- ...` against a database file in a temp dir. Spawns what the npm
 * script runs (`tsx src/cli.ts`, from node_modules/.bin) without npm's own start-up.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildTestApp, connectReady } from '../helper.js'
import { onPostgresNow, testDatabaseUrl } from '../postgres/harness.js'

const dir = mkdtempSync(join(tmpdir(), 'pulse-cli-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
const databasePath = join(dir, 'data', 'app.db')
const jwtSecret = 'cli-test-secret-cli-test-secret-cli-test'
// Under test/postgres/ the commands get DATABASE_URL (a schema that stands for the file).
const databaseUrl = onPostgresNow() ? await testDatabaseUrl(databasePath) : null
const databaseEnv = { DATABASE_PATH: databasePath, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) }

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/cli.ts', ...args], {
      env: { ...process.env, ...databaseEnv, JWT_SECRET: jwtSecret, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, stdout, stderr: stderr.replace(/^npm warn .*\n/gm, ''), ms: Date.now() - started }))
  })
}

// Each CLI process loads the whole app (2-3 s of CPU): allow for a busy machine.
t.setTimeout(300_000)

t.test('create-user, token, load-users; their tokens open sockets', async (t) => {
  let r = await cli('create-user', 'Alice', '--password', 'secret-password', '--admin', '--first-name', 'Alice')
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^created user alice \(id 1, admin\)\n$/)
  if (databaseUrl) t.notOk(existsSync(databasePath), 'with DATABASE_URL no file is created')
  else t.ok(existsSync(databasePath), 'the database file was created and migrated')

  // Independent commands run side by side (each process loads the whole app).
  const [dup, short, token, noUser, load] = await Promise.all([
    cli('create-user', 'alice', '--password', 'another-password'),
    cli('create-user', 'bob', '--password', 'short'),
    cli('token', 'ALICE'),
    cli('token', 'nobody'),
    cli('load-users', '--count', '2000', '--prefix', 'lt'),
  ])
  t.equal(dup.code, 2, 'duplicate: exit 2')
  t.match(dup.stderr, /username: That username is taken\./)
  t.equal(short.code, 2, 'bad password: exit 2')
  t.match(short.stderr, /password: Use at least 8 characters\./)

  t.equal(token.code, 0, token.stderr)
  t.match(token.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/, 'one JWT line')
  const aliceToken = token.stdout.trim()
  t.equal(noUser.code, 2, 'token for an unknown user: exit 2')
  t.match(noUser.stderr, /no user nobody/)

  r = load
  t.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  t.equal(lines.length, 2000, '2000 lines')
  t.ok(lines.every((l) => /^\d+ [\w-]+\.[\w-]+\.[\w-]+$/.test(l)), 'each "<id> <token>"')
  const ids = lines.map((l) => Number(l.split(' ')[0]))
  t.equal(new Set(ids).size, 2000, 'distinct users')
  const rate = /(\d+) users ready in ([\d.]+) s \((\d+)\/s\)/.exec(r.stderr)
  t.ok(rate, `reports its speed: ${r.stderr.trim()}`)
  t.comment(`load-users: ${rate?.[3]} users/second inside the command (${r.ms} ms for the whole process)`)
  // The rate is reported, not asserted: this machine is shared, and a timing would make the suite flaky.
  t.equal(r.stderr, rate![0] + '\n', 'piped: no progress line, only the summary on stderr')

  r = await cli('load-users', '--count', '5', '--prefix', 'lt')
  t.same(r.stdout.trim().split('\n').map((l) => Number(l.split(' ')[0])), ids.slice(0, 5), 'running again reuses the same users')

  // The tokens work against a server on the same database.
  const s = await buildTestApp({ databasePath, jwtSecret })
  t.teardown(() => s.close())
  const url = await s.listen()
  const [firstId, firstToken] = lines[0]!.split(' ')
  const loaded = await connectReady(url, { token: firstToken })
  t.equal(loaded.initial.type, 'initial', 'a load-users token opens a socket')
  t.equal(s.app.hub.users.has(Number(firstId)), true, 'as that user')
  const admin = await connectReady(url, { token: aliceToken })
  t.equal(admin.initial.type, 'initial', 'a `token` token opens a socket')
  const me = await s.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${aliceToken}` } })
  t.match(me.json(), { user: { username: 'alice', first_name: 'Alice' }, is_admin: true })
  const login = await s.app.inject({ method: 'POST', url: '/api/auth/token', payload: { username: 'lt1', password: '' } })
  t.equal(login.statusCode, 401, 'load-test users cannot log in with a password')
  for (const c of [loaded, admin]) await c.client.close()
})

t.test('load-users on a terminal: progress on stderr, the same "<id> <token>" lines on stdout', async (t) => {
  if (!existsSync('/usr/bin/script')) {
    t.skip('no `script` (util-linux) to run the command under a pseudo-terminal', () => {})
    return
  }
  // stdout goes to a file, stderr stays on the pseudo-terminal `script` records.
  const out = join(dir, 'tty-out.txt')
  const typescript = join(dir, 'tty.txt')
  const command = `${join('node_modules', '.bin', 'tsx')} src/cli.ts load-users --count 3000 --prefix tty > ${out}`
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn('script', ['-qec', command, typescript], {
      env: { ...process.env, ...databaseEnv, JWT_SECRET: jwtSecret, NODE_ENV: 'development', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    })
    child.on('error', reject)
    child.on('exit', resolve)
  })
  t.equal(code, 0)
  const lines = readFileSync(out, 'utf8').trim().split('\n')
  t.equal(lines.length, 3000)
  t.ok(lines.every((l) => /^\d+ [\w-]+\.[\w-]+\.[\w-]+$/.test(l)), 'stdout: only "<id> <token>" lines')
  const screen = readFileSync(typescript, 'utf8')
  t.match(screen, /\r\x1b\[2Kcreated [\d,]+ of 3,000 users \(\d+%\) · [\d,]+\/s · [\w ]+ left/, 'users created, rate, time left')
  t.match(screen, /signed tokens for 3,000 of 3,000 users \(100%\)/)
  t.match(screen, /\r\x1b\[2K3000 users ready in [\d.]+ s/, 'the line is cleared before the summary')
})

t.test('progress: silent off a terminal; the line of a step with its own rate', async (t) => {
  const { progress, progressLine, duration } = await import('../../src/progress.js')
  const written: string[] = []
  const stream = (isTTY: boolean) => ({ isTTY, write: (s: string) => written.push(s) }) as unknown as NodeJS.WriteStream
  const piped = progress(10, stream(false))
  piped.update(5, 'created')
  piped.end()
  t.same(written, [], 'nothing when not a terminal')

  let now = 0
  const bar = progress(1000, stream(true), () => now)
  now = 1000
  bar.update(500, 'created')
  now = 1050
  bar.update(600, 'created')
  t.equal(written.length, 1, 'at most ten redraws a second')
  now = 2000
  bar.update(1000, 'created')
  now = 2500
  bar.update(500, 'signed')
  bar.end()
  t.same(written, [
    '\r\x1b[2Kcreated 500 of 1,000 users (50%) · 500/s · 1 s left',
    '\r\x1b[2Kcreated 1,000 of 1,000 users (100%) · 500/s · 0 s left',
    '\r\x1b[2Ksigned 500 of 1,000 users (50%) · 1,000/s · 1 s left',
    '\r\x1b[2K',
  ])
  t.equal(progressLine('created', 0, 10, 0), 'created 0 of 10 users (0%) · 0/s · … left')
  t.equal(duration(200), '3 min 20 s')
})
