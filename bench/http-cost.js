#!/usr/bin/env node
/**
 * node --expose-gc bench/http-cost.js [dist-dir] [requests]: server CPU per
 * `POST /api/notifications` (one user, no socket attached) over real HTTP, the
 * requests sent by a child process over 16 keep-alive connections so that only
 * the server's own work is counted. Best of 5 rounds, in microseconds of CPU
 * per request, and the response's size: for before/after comparisons of the
 * request path (hooks, authentication, headers) the way bench/micro.js does it
 * for the hub.
 */
import { fork } from 'node:child_process'
import { rmSync } from 'node:fs'
import { request, Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

if (process.argv[2] === '--client') {
  const [, , , port, token, count, users] = process.argv
  const agent = new Agent({ keepAlive: true, maxSockets: 16 })
  const post = (i) =>
    new Promise((done, fail) => {
      const body = JSON.stringify({ user_ids: [1 + (i % Number(users))], kind: 'system', title: `cost ${i}`, message: 'm' })
      const req = request({ port, path: '/api/notifications', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-encoding': 'gzip, br' } }, (res) => {
        let size = 0
        res.on('data', (c) => (size += c.length))
        res.on('end', () => (res.statusCode === 201 ? done(size + JSON.stringify(res.rawHeaders).length) : fail(new Error(`status ${res.statusCode}`))))
      })
      req.on('error', fail)
      req.end(body)
    })
  process.on('message', async () => {
    let next = 0
    let bytes = 0
    const lane = async () => {
      while (next < Number(count)) bytes = await post(next++)
    }
    await Promise.all(Array.from({ length: 16 }, lane))
    process.send({ bytes })
  })
  process.send({ ready: true })
} else {
  const dist = resolve(process.argv[2] ?? 'dist')
  const count = Number(process.argv[3] ?? 4000)
  const { buildApp } = await import(pathToFileURL(join(dist, 'app.js')).href)
  const { loadConfig } = await import(pathToFileURL(join(dist, 'config.js')).href)
  const dbPath = join(tmpdir(), `pulse-http-cost-${process.pid}.db`)
  const { config } = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', DATABASE_PATH: dbPath })
  const app = await buildApp(config)
  const users = await app.accounts.loadUsers(1000, 'cost')
  const admin = (await app.accounts.register({ username: 'costadmin', password: 'cost-password-1', isAdmin: true })).user
  const token = (await app.accounts.login(admin, 'api')).token
  await app.listen({ port: 0, host: '127.0.0.1' })
  const child = fork(fileURLToPath(import.meta.url), ['--client', String(app.server.address().port), token, String(count), String(users.length)])
  const reply = () => new Promise((r) => child.once('message', r))
  await reply()
  let best = Infinity
  let bytes = 0
  for (let round = 0; round < 5; round++) {
    globalThis.gc?.()
    const before = process.cpuUsage()
    child.send('go')
    bytes = (await reply()).bytes
    const used = process.cpuUsage(before)
    best = Math.min(best, (used.user + used.system) / count)
  }
  // Group commit (SQLite): how many transactions shared a COMMIT, when this build has it.
  const { groupCommitOf } = await import(pathToFileURL(join(dist, 'db', 'transact.js')).href)
  const group = groupCommitOf?.(app.db)?.stats
  const perCommit = group ? Math.round((group.transactions / Math.max(group.commits, 1)) * 100) / 100 : undefined
  console.log(JSON.stringify({ dist, requests: count, cpu_us_per_request: Math.round(best), response_bytes: bytes, transactions_per_commit: perCommit }))
  child.kill()
  await app.close()
  for (const ext of ['', '-wal', '-shm']) rmSync(dbPath + ext, { force: true })
  process.exit(0)
}
