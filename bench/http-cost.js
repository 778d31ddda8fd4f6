#!/usr/bin/env node
/**
 * node --expose-gc bench/http-cost.js [dist-dir] [requests] [--sockets] [--lanes N] [--profile FILE]:
 * server CPU per `POST /api/notifications` (one recipient each, 1,000 users in turn)
 * over real HTTP, the requests sent by a child process over N keep-alive connections
 * (default 16) so that only the server's own work is counted. With --sockets every
 * recipient has a WebSocket open (from the child) and a round ends when every
 * notification frame has arrived: the server's CPU per persisted, pushed
 * notification, the figure issue 13 sets a target for. `--lanes 1` sends one request
 * at a time (no two transactions can share a commit). Best of 5 rounds, in
 * microseconds of CPU (and its user / kernel split); CPU time, so it holds up on a busy
 * machine where the latency rows of `npm run bench` do not. `--profile FILE` writes a
 * CPU profile of the five rounds only (not the set-up) to FILE, for
 * `bench/profile-summary.js`.
 */
import { fork } from 'node:child_process'
import { rmSync } from 'node:fs'
import { request, Agent } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import WebSocket from 'ws'
import { startProfile } from './cpuprofile.js'

const USERS = 1000

if (process.argv[2] === '--client') {
  const [, , , port, token, count, lanes] = process.argv
  const agent = new Agent({ keepAlive: true, maxSockets: Number(lanes) })
  let frames = 0
  let framesWanted = Infinity
  let roundDone = null
  const check = () => {
    if (frames >= framesWanted && roundDone) roundDone()
  }
  const post = (i) =>
    new Promise((done, fail) => {
      const body = JSON.stringify({ user_ids: [1 + (i % USERS)], kind: 'system', title: `cost ${i}`, message: 'm' })
      const req = request({ port, path: '/api/notifications', method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-encoding': 'gzip, br' } }, (res) => {
        let size = 0
        res.on('data', (c) => (size += c.length))
        res.on('end', () => (res.statusCode === 201 ? done(size + JSON.stringify(res.rawHeaders).length) : fail(new Error(`status ${res.statusCode}`))))
      })
      req.on('error', fail)
      req.end(body)
    })
  const open = (userToken) =>
    new Promise((done, fail) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/notifications?token=${userToken}`)
      ws.on('message', (data) => {
        const type = JSON.parse(data.toString()).type
        if (type === 'initial') done()
        else if (type === 'notification') {
          frames++
          check()
        }
      })
      ws.on('error', fail)
    })
  process.on('message', async (message) => {
    if (message.tokens) {
      for (let i = 0; i < message.tokens.length; i += 50) await Promise.all(message.tokens.slice(i, i + 50).map(open))
      process.send({ opened: message.tokens.length })
      return
    }
    let next = 0
    let bytes = 0
    const lane = async () => {
      while (next < Number(count)) bytes = await post(next++)
    }
    const start = frames
    await Promise.all(Array.from({ length: Number(lanes) }, lane))
    if (message.sockets) {
      framesWanted = start + Number(count)
      await new Promise((r) => {
        roundDone = r
        check()
      })
      roundDone = null
    }
    process.send({ bytes })
  })
  process.send({ ready: true })
} else {
  const args = process.argv.slice(2)
  const flag = (name) => args.includes(name)
  const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback)
  const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && ['--lanes', '--profile'].includes(args[i - 1])))
  const dist = resolve(positional[0] ?? 'dist')
  const count = Number(positional[1] ?? 4000)
  const sockets = flag('--sockets')
  const lanes = Number(option('--lanes', 16))
  const profile = option('--profile')
  const { buildApp } = await import(pathToFileURL(join(dist, 'app.js')).href)
  const { loadConfig } = await import(pathToFileURL(join(dist, 'config.js')).href)
  const dbPath = join(tmpdir(), `pulse-http-cost-${process.pid}.db`)
  const { config } = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', DATABASE_PATH: dbPath })
  const app = await buildApp(config)
  const users = await app.accounts.loadUsers(USERS, 'cost')
  const admin = (await app.accounts.register({ username: 'costadmin', password: 'cost-password-1', isAdmin: true })).user
  const token = (await app.accounts.login(admin, 'api')).token
  await app.listen({ port: 0, host: '127.0.0.1' })
  const child = fork(fileURLToPath(import.meta.url), ['--client', String(app.server.address().port), token, String(count), String(lanes)])
  const reply = () => new Promise((r) => child.once('message', r))
  await reply()
  if (sockets) {
    child.send({ tokens: users.map((u) => u.token) })
    await reply()
  }
  let best = Infinity
  let split = {}
  let bytes = 0
  const stopProfile = profile ? await startProfile() : undefined
  for (let round = 0; round < 5; round++) {
    globalThis.gc?.()
    const before = process.cpuUsage()
    child.send({ sockets })
    bytes = (await reply()).bytes
    const used = process.cpuUsage(before)
    if ((used.user + used.system) / count < best) {
      best = (used.user + used.system) / count
      split = { user: Math.round(used.user / count), system: Math.round(used.system / count) }
    }
  }
  await stopProfile?.(profile)
  // Group commit (SQLite): how many transactions shared a COMMIT, when this build has it.
  const { groupCommitOf } = await import(pathToFileURL(join(dist, 'db', 'transact.js')).href)
  const group = groupCommitOf?.(app.db)?.stats
  const perCommit = group ? Math.round((group.transactions / Math.max(group.commits, 1)) * 100) / 100 : undefined
  console.log(JSON.stringify({ dist, requests: count, lanes, sockets: sockets ? USERS : 0, cpu_us_per_request: Math.round(best), cpu_user_us: split.user, cpu_system_us: split.system, response_bytes: bytes, transactions_per_commit: perCommit }))
  child.kill()
  await app.close()
  for (const ext of ['', '-wal', '-shm']) rmSync(dbPath + ext, { force: true })
  process.exit(0)
}
