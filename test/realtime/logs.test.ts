/**
 * A real server process (src/server.ts) logging at info: a `?token=` never reaches
 * its logs, and SIGTERM shuts it down gracefully (sockets get 1012).
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { redactUrl } from '../../src/app.js'
import { buildTestApp, connectReady, createUser } from '../helper.js'

// A whole server process starts here (tsx + the app): allow for a busy machine.
t.setTimeout(240_000)

t.test('redactUrl hides token= values only', async (t) => {
  t.equal(redactUrl('/ws/notifications?token=abc.def.ghi'), '/ws/notifications?token=[redacted]')
  t.equal(redactUrl('/ws/notifications?since=4&TOKEN=abc&x=1'), '/ws/notifications?since=4&TOKEN=[redacted]&x=1')
  t.equal(redactUrl('/notifications?before=3'), '/notifications?before=3')
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

t.test('a server process never logs ?token= and closes sockets with 1012 on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-logs-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const databasePath = join(dir, 'app.db')
  const jwtSecret = 'log-test-secret-log-test-secret-log-test'
  const seed = await buildTestApp({ databasePath, jwtSecret })
  const alice = await createUser(seed.app, { username: 'alice' })
  await seed.close()

  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, NODE_ENV: 'development', PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: databasePath, JWT_SECRET: jwtSecret, LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (d) => (output += d))
  child.stderr.on('data', (d) => (output += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })
  const deadline = Date.now() + 60_000
  while (!output.includes('serving http://') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50))
  t.match(output, /serving http:\/\/127\.0\.0\.1:\d+/, `the server started (${Date.now() - deadline + 60_000} ms)`)
  const url = `http://127.0.0.1:${port}`

  const { client, initial } = await connectReady(url, { token: alice.token, query: { since: '0' } })
  t.equal(initial.type, 'initial', 'a ?token= socket opened')
  for (const path of [`/api/notifications/unread-count?token=${alice.token}`, `/no-such-page?token=${alice.token}`, `/ws/notifications?token=${alice.token}`]) {
    await fetch(url + path)
  }
  const bearerRes = await fetch(`${url}/api/notifications/unread-count`, { headers: { authorization: `Bearer ${alice.token}` } })
  t.equal(bearerRes.status, 200)

  // Frames past the limit (16 KiB): 1009, and one warn line each, no stack.
  for (const mib of [4, 2]) {
    const big = await connectReady(url, { token: alice.token })
    big.client.send('x'.repeat(mib * 1024 * 1024))
    t.equal(await big.client.closed, 1009, `a ${mib} MiB frame: 1009`)
  }
  await new Promise((r) => setTimeout(r, 200))
  const oversize = output.split('\n').filter((l) => /Max payload size exceeded/.test(l))
  t.equal(oversize.length, 2, 'one line per oversize frame')
  for (const line of oversize) {
    t.equal(JSON.parse(line).level, 40, 'at warn level')
    t.notMatch(line, /"stack"|    at /, 'without a stack')
  }

  const stopping = Date.now()
  child.kill('SIGTERM')
  t.equal(await client.closed, 1012, 'SIGTERM: the socket got 1012')
  t.equal(await exited, 0, 'the process exited cleanly')
  t.ok(Date.now() - stopping < 5000, `and promptly (${Date.now() - stopping} ms)`)

  t.match(output, /token=\[redacted\]/, 'URLs with a token were logged, redacted')
  t.notOk(output.includes(alice.token), 'the token never appears in the logs')
  t.notOk(output.includes(alice.token.split('.')[2]!), 'not even its signature')
})
