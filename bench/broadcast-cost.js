#!/usr/bin/env node
/**
 * node --expose-gc bench/broadcast-cost.js [dist-dir] [users]: the server's CPU per
 * recipient of a broadcast (`POST /api/notifications {all: true}`), every user holding
 * one WebSocket opened by a child process, a round ending when every socket has its
 * frame. Prints the best of 5 rounds: CPU microseconds per recipient, of which
 * garbage collection (PerformanceObserver 'gc' entries), the wall time to the last
 * frame, and the frame's size; then each counted round's longest event-loop block (and
 * when it ended, from the POST) beside its longest GC pause. CPU time, so it holds up on
 * a busy machine where the broadcast row of `npm run bench` moves by a second between
 * runs; for a before/after, build the other commit in a git worktree (its own views/) and
 * run this against both.
 */
import { fork } from 'node:child_process'
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import WebSocket from 'ws'

if (process.argv[2] === '--client') {
  const port = process.argv[3]
  let frames = 0
  let wanted = Infinity
  let size = 0
  const check = () => {
    if (frames >= wanted) {
      wanted = Infinity
      process.send({ frames, size })
    }
  }
  // Spread over 16 source addresses: one address runs out of local ports after a few runs
  // of 19,000 sockets (those closed stay in TIME_WAIT for a minute), EADDRNOTAVAIL.
  const open = (token, i) =>
    new Promise((done, fail) => {
      const localAddress = `127.0.0.${2 + (i % 16)}`
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/notifications?token=${token}`, { perMessageDeflate: false, localAddress })
      ws.on('message', (data) => {
        if (data[9] === 0x69 /* {"type":"initial" */) return done()
        if (data.toString('latin1', 0, 22) === '{"type":"notification"') {
          size = data.length
          frames++
          check()
        }
      })
      ws.on('error', fail)
    })
  process.on('message', async (message) => {
    if (message.tokens) {
      for (let i = 0; i < message.tokens.length; i += 50) await Promise.all(message.tokens.slice(i, i + 50).map((token, k) => open(token, i + k)))
      process.send({ opened: message.tokens.length })
    } else if (message.expect) {
      wanted = frames + message.expect
      check()
    }
  })
  process.send({ ready: true })
} else {
  const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'))
  const dist = resolve(positional[0] ?? 'dist')
  const count = Number(positional[1] ?? 5000)
  const { buildApp } = await import(pathToFileURL(join(dist, 'app.js')).href)
  const { loadConfig } = await import(pathToFileURL(join(dist, 'config.js')).href)
  const dbPath = join(tmpdir(), `pulse-broadcast-cost-${process.pid}.db`)
  const { config } = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', DATABASE_PATH: dbPath })
  const app = await buildApp(config)
  const users = await app.accounts.loadUsers(count, 'bc')
  const admin = (await app.accounts.register({ username: 'bcadmin', password: 'bc-password-1', isAdmin: true })).user
  const token = (await app.accounts.login(admin, 'api')).token
  await app.listen({ port: 0, host: '127.0.0.1' })
  const child = fork(fileURLToPath(import.meta.url), ['--client', String(app.server.address().port)])
  // A client process that dies would leave this one waiting for its frames for ever.
  const died = (code, signal) => {
    console.error(`the client process ended (${signal ?? code}) before the rounds did`)
    process.exit(1)
  }
  child.on('exit', died)
  const reply = () => new Promise((r) => child.once('message', r))
  await reply()
  child.send({ tokens: users.map((u) => u.token) })
  await reply()

  let gcMs = 0
  let gcLongest = 0
  const gcs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcMs += entry.duration
      gcLongest = Math.max(gcLongest, entry.duration)
    }
  })
  // The longest event-loop block of a round (how late a 5 ms timer fired, as bench/gaps.js)
  // and when it ended, from the POST.
  let blockMs = 0
  let blockEnd = 0
  let tick = performance.now()
  const ticker = setInterval(() => {
    const now = performance.now()
    if (now - tick - 5 > blockMs) [blockMs, blockEnd] = [now - tick - 5, now]
    tick = now
  }, 5)
  gcs.observe({ entryTypes: ['gc'] })
  const rounds = []
  for (let round = 0; round < 6; round++) {
    globalThis.gc?.()
    await new Promise((r) => setTimeout(r, 200))
    const arrived = reply()
    child.send({ expect: count })
    gcMs = 0
    gcLongest = 0
    blockMs = 0
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    const res = await app.inject({ method: 'POST', url: '/api/notifications', headers: { authorization: `Bearer ${token}` }, payload: { all: true, kind: 'system', title: `everyone ${round}`, message: 'm' } })
    if (res.statusCode !== 201) throw new Error(`broadcast answered ${res.statusCode}: ${res.body}`)
    const { size } = await arrived
    const wall = performance.now() - t0
    const used = process.cpuUsage(cpu0)
    await new Promise((r) => setTimeout(r, 10))
    // The first round warms up (JIT, prepared statements): not counted.
    if (round > 0) rounds.push({ cpu_us_per_recipient: (used.user + used.system) / count, gc_us_per_recipient: (gcMs * 1000) / count, last_frame_ms: wall, frame_bytes: size, block: { ms: Math.round(blockMs), ended_at_ms: Math.round(blockEnd - t0), longest_gc_ms: Math.round(gcLongest) } })
  }
  gcs.disconnect()
  clearInterval(ticker)
  const best = rounds.reduce((a, b) => (b.cpu_us_per_recipient < a.cpu_us_per_recipient ? b : a))
  const round1 = (n) => Math.round(n * 10) / 10
  console.log(JSON.stringify({ dist, recipients: count, cpu_us_per_recipient: round1(best.cpu_us_per_recipient), gc_us_per_recipient: round1(best.gc_us_per_recipient), last_frame_ms: Math.round(best.last_frame_ms), frame_bytes: best.frame_bytes, blocks: rounds.map((r) => r.block) }))
  child.off('exit', died)
  child.kill()
  await app.close()
  for (const ext of ['', '-wal', '-shm']) rmSync(dbPath + ext, { force: true })
  process.exit(0)
}
