#!/usr/bin/env node
/**
 * node bench/micro.js [dist-dir] [users]: in-process timings of the hot paths the
 * load benchmark found (no sockets, no HTTP), for before/after comparisons of a
 * perf fix: build the old commit into another directory (tsc --outDir) and run
 * this against both. Prints the best of 5 rounds, in microseconds per call,
 * except the fan-out (milliseconds for every user's frame). With node --expose-gc
 * it also reports the hub's own heap bytes per socket (sessions of distinct expiry).
 */
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const dist = resolve(process.argv[2] ?? 'dist')
const N = Number(process.argv[3] ?? 19_000)
const { buildApp } = await import(pathToFileURL(join(dist, 'app.js')).href)
const { loadConfig } = await import(pathToFileURL(join(dist, 'config.js')).href)
const dbPath = join(tmpdir(), `pulse-micro-${process.pid}.db`)
const { config } = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn', DATABASE_PATH: dbPath })
const app = await buildApp(config)
const users = await app.accounts.loadUsers(N, 'micro')
const admin = (await app.accounts.register({ username: 'microadmin', password: 'micro-password-1', isAdmin: true })).user

let sent = 0
const fakeSocket = () => ({ readyState: 1, bufferedAmount: 0, send() { sent++ }, on() {}, ping() {}, close() {}, terminate() {} })
// The services are async: each call is awaited before the next, so this is the time of one
// call; a synchronous result (the hub's encode) is not awaited, which would add a microtask.
const time = async (n, fn) => {
  const s = performance.now()
  for (let i = 0; i < n; i++) {
    const r = fn(i)
    if (r instanceof Promise) await r
  }
  return ((performance.now() - s) / n) * 1000
}
const settle = () => new Promise((r) => setTimeout(r, 20))
const best = {}
const keep = (k, v) => (best[k] = Math.min(best[k] ?? Infinity, v))

for (let round = 0; round < 5; round++) {
  keep('notify_one_user_us', await time(2000, (i) => app.notifications.notify({ userIds: [users[i % N].id] }, { kind: 'system', title: `t${i}`, message: 'm', actorId: admin.id })))
  await settle()
  keep('initial_list10_us', await time(3000, (i) => app.notifications.list(users[i % N].id, { limit: 10 })))
  keep('counts_us', await time(3000, (i) => app.notifications.counts(users[i % N].id)))
  const tmpl = { kind: 'system', title: 'hello', message: 'm', link_url: '/x', link_text: 'go', icon: 'bell', actor: null, created_at: new Date().toISOString() }
  keep('encode_fanout_frame_us', await time(4000, (i) => app.hub.encode({ type: 'notification', notification: { ...tmpl, id: i + 1, read: false }, unread_count: 3, unread_messages_count: 0 }, 1)))
}

// A broadcast to N attached sockets (fake sockets: only the hub's own work).
const sockets = users.map(fakeSocket)
globalThis.gc?.()
const heap0 = process.memoryUsage().heapUsed
users.forEach((u, i) => app.hub.add(sockets[i], u.id, `s${u.id}`, Date.now() + 3600e3 + i * 7))
globalThis.gc?.()
if (globalThis.gc) best.hub_bytes_per_socket = (process.memoryUsage().heapUsed - heap0) / N
for (let round = 0; round < 3; round++) {
  sent = 0
  const s = performance.now()
  await app.notifications.notify({ all: true }, { kind: 'system', title: `everyone ${round}`, message: 'm' })
  const inserted = performance.now() - s
  await new Promise((r) => {
    const poll = () => (sent >= N ? r() : setImmediate(poll))
    poll()
  })
  keep('broadcast_insert_ms', inserted)
  keep('broadcast_all_frames_ms', performance.now() - s)
}
console.log(JSON.stringify({ dist, users: N, ...Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v * 10) / 10])) }))
await app.close()
for (const ext of ['', '-wal', '-shm']) rmSync(dbPath + ext, { force: true })
process.exit(0)
