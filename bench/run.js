#!/usr/bin/env node
/**
 * npm run bench [-- --quick] [options]: the load benchmark (see bench/README.md).
 *
 * Starts the production build (dist/), the same on a PostgreSQL database made
 * for the run (bench/pg-database.js), and the two references in bench/peers/,
 * each in turn, holds N authenticated idle sockets from several load processes
 * (bench/client-worker.js, one 127.0.x.y source address each, <= 9,500 sockets
 * each because every process is capped at 20,000 open files), then measures
 * connect time, server RSS per socket, delivery latency of notifications posted
 * through the HTTP API at fixed rates, and one broadcast. Then the same for our
 * server as several processes joined by Redis. Everything runs on 127.0.0.0/8,
 * is bounded (a global timeout kills every process it started) and prints JSON
 * and a markdown table, also written to bench/results/.
 */
import { execFileSync, fork, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir, cpus, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { cpuMark, cpuSplit } from './cpu-split.js'
import { ADMIN_URL, createBenchDatabase, redact, unreachable } from './pg-database.js'
import { Publisher, publishAtRate } from './publisher.js'
import { markdown } from './report-table.js'

const BENCH_DIR = dirname(fileURLToPath(import.meta.url))
const ROOT = resolve(BENCH_DIR, '..')
const RESULTS = join(BENCH_DIR, 'results')
const PROBE = join(BENCH_DIR, 'probe.js')
const WORKER = join(BENCH_DIR, 'client-worker.js')
const PER_WORKER = 9_500

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sockets: { type: 'string' },
    rates: { type: 'string' },
    seconds: { type: 'string' },
    targets: { type: 'string' },
    'multi-sockets': { type: 'string' },
    'multi-servers': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    'profile-phases': { type: 'boolean', default: false },
    'heap-snapshot': { type: 'boolean', default: false },
    timeout: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
})
if (opt.help) {
  console.log(`npm run bench -- [--quick] [--sockets N] [--rates 1000,5000] [--seconds S]
  [--targets ours,pg,sio,floor,multi] [--multi-sockets N] [--multi-servers P]
  [--no-build] [--cpu-prof] [--profile-phases] [--heap-snapshot] [--timeout SECONDS]`)
  process.exit(0)
}

const quick = opt.quick
const cfg = {
  sockets: Number(opt.sockets ?? (quick ? 3000 : 19_000)),
  /** "R" = R single-user POSTs per second; "RxB" = R notifications per second in POSTs naming B users. */
  rates: (opt.rates ?? (quick ? '1000,5000' : '1000,5000,5000x10')).split(',').map((spec) => {
    const [rate, batch] = spec.split('x').map(Number)
    return { spec, rate, batch: batch || 1 }
  }),
  seconds: Number(opt.seconds ?? (quick ? 2 : 8)),
  targets: (opt.targets ?? 'ours,pg,sio,floor,multi').split(','),
  multiSockets: Number(opt['multi-sockets'] ?? (quick ? 3000 : 100_000)),
  multiServers: Number(opt['multi-servers'] ?? (quick ? 2 : 6)),
  timeoutS: Number(opt.timeout ?? (quick ? 420 : 20 * 60)),
}
if (cfg.sockets > 19_500) {
  console.error('--sockets: at most 19,500 per server process (20,000 open files per process here)')
  process.exit(2)
}

// ------------------------------------------------------------------ process hygiene

const children = new Set()
function track(child) {
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}
function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL')
    } catch {}
  }
}
const deadline = setTimeout(() => {
  console.error(`bench: global timeout (${cfg.timeoutS} s) reached; killing everything it started`)
  killAll()
  try {
    report({ final: false })
  } catch {}
  process.exit(3)
}, cfg.timeoutS * 1000)
deadline.unref()
process.on('exit', killAll)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130))

const log = (...a) => console.error(`[${((performance.now()) / 1000).toFixed(1)}s]`, ...a)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const nowUs = () => Number(process.hrtime.bigint() / 1000n)

// ------------------------------------------------------------------ preparation

function build() {
  if (opt['no-build']) return
  log('building (npm run build)')
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
  if (r.status !== 0) {
    if (!existsSync(join(ROOT, 'dist', 'server.js'))) {
      console.error(r.stdout, r.stderr)
      throw new Error('npm run build failed and there is no dist/server.js')
    }
    log('warning: tsc reported errors (another part of the tree?); using what it emitted in dist/')
  }
}

const secret = randomBytes(32).toString('base64url')
const work = mkdtempSync(join(tmpdir(), 'pulse-bench-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

/** The environment naming a database: `{ DATABASE_PATH }` (SQLite) or `{ DATABASE_URL }` (PostgreSQL). */
function databaseEnv(dbEnv) {
  const env = { ...process.env, ...dbEnv }
  if (!dbEnv.DATABASE_URL) delete env.DATABASE_URL
  return env
}

function cli(dbEnv, args) {
  return execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], {
    cwd: ROOT,
    env: { ...databaseEnv(dbEnv), NODE_ENV: 'production', JWT_SECRET: secret, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** A fresh database (by default a SQLite file) with users b1..bN (one API token each) and an admin. */
function makeDatabase(name, count, dbEnv = { DATABASE_PATH: join(work, `${name}.db`) }) {
  const db = dbEnv.DATABASE_PATH
  const t0 = performance.now()
  const users = cli(dbEnv, ['load-users', '--count', String(count), '--prefix', 'b'])
    .trim()
    .split('\n')
    .map((line) => {
      const [id, token] = line.split(' ')
      return [Number(id), token]
    })
  const created = cli(dbEnv, ['create-user', 'benchadmin', '--password', randomBytes(12).toString('hex'), '--admin'])
  const adminId = Number(/id (\d+)/.exec(created)[1])
  const adminToken = cli(dbEnv, ['token', 'benchadmin']).trim()
  log(`database ${name}: ${users.length} users + admin in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  return { db, dbEnv, users, adminId, adminToken }
}

function copyDatabase(src, name) {
  const db = join(work, `${name}.db`)
  copyFileSync(src.db, db)
  for (const ext of ['-wal', '-shm']) if (existsSync(src.db + ext)) copyFileSync(src.db + ext, db + ext)
  return { ...src, db, dbEnv: { DATABASE_PATH: db } }
}

// ------------------------------------------------------------------ servers

let nextPort = 4100 + (process.pid % 400) * 10

function waitForPort(port, child, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs
  return new Promise((resolveP, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`server exited with ${child.exitCode}; see ${child.logFile}`))
      const s = net.connect({ port, host: '127.0.0.1' })
      s.on('connect', () => {
        s.destroy()
        resolveP()
      })
      s.on('error', () => {
        s.destroy()
        if (Date.now() > until) reject(new Error(`nothing listening on ${port} after ${timeoutMs} ms`))
        else setTimeout(attempt, 100)
      })
    }
    attempt()
  })
}

let probeSeq = 0
function probe(child, extra = {}) {
  const id = ++probeSeq
  return new Promise((resolveP, reject) => {
    const timer = setTimeout(() => reject(new Error('probe timed out')), 60_000)
    const onMsg = (m) => {
      if (m && m.probe && m.id === id) {
        clearTimeout(timer)
        child.off('message', onMsg)
        resolveP(m)
      }
    }
    child.on('message', onMsg)
    child.send({ probe: true, id, ...extra })
  })
}

async function startServer(kind, { dbEnv, adminId, redisPrefix }, index) {
  const port = nextPort++
  mkdirSync(join(RESULTS, 'logs'), { recursive: true })
  const logFile = join(RESULTS, 'logs', `${kind}-${index}.log`)
  const fd = openSync(logFile, 'w')
  const env = { ...databaseEnv(dbEnv), NODE_ENV: 'production', JWT_SECRET: secret, LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', ADMIN_ID: String(adminId) }
  delete env.REDIS_URL
  delete env.WORKERS
  if (redisPrefix) {
    env.REDIS_URL = 'redis://127.0.0.1:6379'
    env.REDIS_PREFIX = redisPrefix
  }
  const execArgv = ['--import', PROBE, '--expose-gc', ...(process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean)]
  if (opt['cpu-prof'] && kind.startsWith('ours')) execArgv.push('--cpu-prof', `--cpu-prof-dir=${join(RESULTS, 'prof')}`)
  const script = kind.startsWith('ours') ? join(ROOT, 'dist', 'server.js') : join(BENCH_DIR, 'peers', kind === 'sio' ? 'socketio-server.js' : 'ws-floor-server.js')
  const child = track(fork(script, [], { cwd: ROOT, env, execArgv, stdio: ['ignore', fd, fd, 'ipc'] }))
  child.logFile = logFile
  child.port = port
  await waitForPort(port, child)
  return child
}

async function stopServer(child) {
  if (child.exitCode !== null) return
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000)
  await exited
  clearTimeout(t)
}

// ------------------------------------------------------------------ load processes

function request(worker, msg, ev) {
  return new Promise((resolveP) => {
    const onMsg = (m) => {
      if (m.ev === ev) {
        worker.off('message', onMsg)
        resolveP(m)
      }
    }
    worker.on('message', onMsg)
    worker.send(msg)
  })
}

async function connectClients({ users, servers, protocol, ipBlock, cpuGroups = {} }) {
  const nWorkers = Math.ceil(users.length / PER_WORKER)
  const per = Math.ceil(users.length / nWorkers)
  const workers = []
  for (let k = 0; k < nWorkers; k++) {
    const w = track(fork(WORKER, [], { execArgv: ['--max-old-space-size=2048'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }))
    w.slice = users.slice(k * per, (k + 1) * per)
    w.localAddress = `127.0.${ipBlock}.${k + 1}`
    w.ready = new Promise((r) => w.once('message', r))
    workers.push(w)
  }
  await Promise.all(workers.map((w) => w.ready))
  const groups = { ...cpuGroups, clients: workers.map((w) => w.pid) }
  const mark0 = cpuMark(groups)
  const t0 = performance.now()
  const results = await Promise.all(
    workers.map((w) =>
      request(w, { cmd: 'connect', servers, protocol, users: w.slice, localAddress: w.localAddress, concurrency: 32 }, 'connected'),
    ),
  )
  const seconds = (performance.now() - t0) / 1000
  const cpu = cpuSplit(mark0, cpuMark(groups))
  const open = results.reduce((a, r) => a + r.ok, 0)
  const failures = {}
  for (const r of results) for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v
  return { workers, open, failures, seconds, cpu }
}

async function closeClients(workers) {
  await Promise.all(workers.map((w) => (w.exitCode === null ? request(w, { cmd: 'close' }, 'closed') : null)))
}

async function countReceived(workers, phase) {
  const r = await Promise.all(workers.map((w) => request(w, { cmd: 'count', phase }, 'count')))
  return r.reduce((a, m) => a + m.n, 0)
}

async function collect(workers) {
  const all = await Promise.all(workers.map((w) => request(w, { cmd: 'collect' }, 'collected')))
  const merged = {}
  let unexpectedCloses = 0
  const closeCodes = {}
  let open = 0
  for (const r of all) {
    open += r.open
    unexpectedCloses += r.unexpectedCloses
    for (const [k, v] of Object.entries(r.closeCodes)) closeCodes[k] = (closeCodes[k] ?? 0) + v
    for (const [phase, { seqs, uids, lats }] of Object.entries(r.received)) {
      const m = (merged[phase] ??= { keys: [], lats: [] })
      // A notification is (POST seq, user): one POST may name several users.
      for (let i = 0; i < seqs.length; i++) {
        m.keys.push(seqs[i] * 1e7 + uids[i])
        m.lats.push(lats[i])
      }
    }
  }
  return { received: merged, unexpectedCloses, closeCodes, open }
}

// ------------------------------------------------------------------ statistics

function pct(sorted, p) {
  if (!sorted.length) return null
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}
const round = (x, d = 2) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d)

async function waitForCount(workers, phase, expected, quietMs) {
  const until = performance.now() + quietMs
  let n = 0
  while (performance.now() < until) {
    n = await countReceived(workers, phase)
    if (n >= expected) break
    await sleep(100)
  }
  return n
}

// ------------------------------------------------------------------ one target

const PHASES = 'ACDEFGHIJ'
const PG_LABEL = 'ours on PostgreSQL'

/**
 * Runs the workload against one server kind: 'ours' (production build), 'ours-pg'
 * (the same on PostgreSQL), 'sio' (Socket.IO peer), 'floor' (bare ws), or
 * 'ours-multi' (P processes + Redis).
 */
async function runTarget(kind, data, { processes = 1, sockets, ipBlock }) {
  const label = kind === 'ours' ? 'ours' : kind === 'ours-pg' ? PG_LABEL : kind === 'sio' ? 'Socket.IO 4' : kind === 'floor' ? 'bare ws' : `ours x${processes} + Redis`
  log(`--- ${label}: ${sockets} sockets over ${processes} process(es)`)
  const redisPrefix = kind === 'ours-multi' ? `bench${process.pid}:` : undefined
  const servers = []
  for (let i = 0; i < processes; i++) servers.push(await startServer(kind, { ...data, redisPrefix }, i))
  const result = { target: kind, label, processes, sockets_requested: sockets }
  let workers = []
  let pub = null
  try {
    const path = kind === 'sio' ? '' : kind === 'floor' ? '/ws' : '/ws/notifications'
    const urls = servers.map((s) => `ws://127.0.0.1:${s.port}${path}`)
    const protocol = kind === 'sio' ? 'sio' : kind === 'floor' ? 'floor' : 'ours'
    await sleep(500)
    const before = await Promise.all(servers.map((s) => probe(s, { gc: true })))

    const users = data.users.slice(0, sockets)
    // --profile-phases: each server's CPU profile of the connect phase, each rate phase
    // and the broadcast alone (bench/probe.js), in bench/results/prof/<phase>-<target>-<server>.cpuprofile.
    const profilePhases = opt['profile-phases'] && kind.startsWith('ours')
    if (profilePhases) mkdirSync(join(RESULTS, 'prof'), { recursive: true })
    const stopProfiles = async (phase) => {
      const files = await Promise.all(servers.map((s, i) => probe(s, { profile: 'stop', file: join(RESULTS, 'prof', `${phase}-${kind}-${i}.cpuprofile`) })))
      log(`${phase} profiles:`, files.map((f) => f.file ?? f.error).join(' '))
    }
    const redis = kind === 'ours-multi' ? { redis: [await redisPid()] } : {}
    if (profilePhases) await Promise.all(servers.map((s) => probe(s, { profile: 'start' })))
    const conn = await connectClients({ users, servers: urls, protocol, ipBlock, cpuGroups: { servers: servers.map((s) => s.pid), ...redis } })
    workers = conn.workers
    result.sockets_open = conn.open
    result.connect_failures = conn.failures
    result.connect_s = round(conn.seconds, 2)
    result.connects_per_s = Math.round(conn.open / conn.seconds)
    result.connect_cpu = conn.cpu
    if (profilePhases) await stopProfiles('connect')
    log(`${conn.open}/${sockets} open in ${conn.seconds.toFixed(1)} s`, Object.keys(conn.failures).length ? conn.failures : '', JSON.stringify(conn.cpu))

    await sleep(quick ? 1000 : 3000)
    const after = await Promise.all(servers.map((s) => probe(s, { gc: true, resetEld: true })))
    const rssDelta = after.reduce((a, m, i) => a + m.rss - before[i].rss, 0)
    const heapDelta = after.reduce((a, m, i) => a + m.heapUsed + m.external - before[i].heapUsed - before[i].external, 0)
    result.rss_before_mib = round(before.reduce((a, m) => a + m.rss, 0) / 2 ** 20, 1)
    result.rss_after_mib = round(after.reduce((a, m) => a + m.rss, 0) / 2 ** 20, 1)
    result.rss_per_socket_kib = round(rssDelta / conn.open / 1024, 2)
    result.heap_per_socket_kib = round(heapDelta / conn.open / 1024, 2)
    if (opt['heap-snapshot'] && kind === 'ours') {
      const m = await probe(servers[0], { heapSnapshot: join(RESULTS, `ours-${conn.open}.heapsnapshot`) })
      log(`heap snapshot: ${m.file}`)
    }
    const attached = users
    // CPU by process group in each phase (bench/cpu-split.js): what the machine had left.
    const groups = {
      servers: servers.map((s) => s.pid),
      clients: workers.map((w) => w.pid),
      ...redis,
    }

    pub = new Publisher(servers.map((s) => s.port), data.adminToken, Math.max(16, Math.ceil(128 / processes)))
    result.rates = {}
    for (let r = 0; r < cfg.rates.length; r++) {
      const { spec: rate, rate: perSecond, batch } = cfg.rates[r]
      const phase = PHASES[r]
      const cpu0 = await Promise.all(servers.map((s) => probe(s, { resetEld: true })))
      if (profilePhases) await Promise.all(servers.map((s) => probe(s, { profile: 'start' })))
      const w0 = performance.now()
      const mark0 = cpuMark(groups)
      const sent = await publishAtRate(pub, attached, { rate: perSecond, batch, seconds: cfg.seconds, phase })
      await waitForCount(workers, phase, sent.total, 5000)
      const cpu = cpuSplit(mark0, cpuMark(groups))
      if (profilePhases) await stopProfiles(rate)
      const eld = await Promise.all(servers.map((s) => probe(s)))
      const cpuPct = (100 * eld.reduce((a, m, i) => a + m.cpuUs - cpu0[i].cpuUs, 0)) / 1000 / (performance.now() - w0)
      const got = await collect(workers)
      const rec = got.received[phase] ?? { keys: [], lats: [] }
      const unique = new Set(rec.keys)
      const lats = Float64Array.from(rec.lats, (x) => x / 1000).sort()
      const http = Float64Array.from(sent.httpLat).sort()
      result.rates[rate] = {
        batch,
        sent: sent.total,
        posts: sent.posts,
        saturated: sent.saturated,
        achieved_rate: Math.round(sent.achievedRate),
        server_cpu_pct: Math.round(cpuPct),
        http_errors: sent.errors,
        received: unique.size,
        duplicates: rec.keys.length - unique.size,
        lost: sent.total - unique.size,
        p50_ms: round(pct(lats, 50)),
        p99_ms: round(pct(lats, 99)),
        max_ms: round(lats.length ? lats[lats.length - 1] : null),
        http_p50_ms: round(pct(http, 50)),
        http_p99_ms: round(pct(http, 99)),
        eld_max_ms: round(Math.max(...eld.map((m) => m.eldMax))),
        unexpected_closes: got.unexpectedCloses,
        cpu,
      }
      if (sent.firstErrors.length) result.rates[rate].first_errors = sent.firstErrors
      log(`${rate}/s:`, JSON.stringify(result.rates[rate]))
      await sleep(500)
    }

    // One broadcast to everyone.
    await Promise.all(servers.map((s) => probe(s, { resetEld: true })))
    if (profilePhases) await Promise.all(servers.map((s) => probe(s, { profile: 'start' })))
    const markB = cpuMark(groups)
    const t = nowUs()
    const bodyB = `{"all":true,"title":"bench B 0 ${t}","message":"broadcast","kind":"system"}`
    const resB = await pub.post(bodyB)
    const httpMs = (nowUs() - t) / 1000
    await waitForCount(workers, 'B', conn.open, quick ? 15_000 : 30_000)
    const cpuB = cpuSplit(markB, cpuMark(groups))
    if (profilePhases) await stopProfiles('broadcast')
    await sleep(100)
    const eldB = await Promise.all(servers.map((s) => probe(s)))
    const gotB = await collect(workers)
    const recB = gotB.received.B ?? { keys: [], lats: [] }
    const latsB = Float64Array.from(recB.lats, (x) => x / 1000).sort()
    result.broadcast = {
      http_status: resB.status,
      http_ms: round(httpMs),
      expected: conn.open,
      received: new Set(recB.keys).size,
      lost: conn.open - new Set(recB.keys).size,
      first_ms: round(latsB[0] ?? null),
      p50_ms: round(pct(latsB, 50)),
      last_ms: round(latsB.length ? latsB[latsB.length - 1] : null),
      eld_max_ms: round(Math.max(...eldB.map((m) => m.eldMax))),
      sockets_still_open: gotB.open,
      unexpected_closes: gotB.unexpectedCloses,
      close_codes: gotB.closeCodes,
      cpu: cpuB,
    }
    log('broadcast:', JSON.stringify(result.broadcast))
  } catch (err) {
    result.error = String(err?.stack ?? err)
    log(`${label} failed:`, err)
  } finally {
    pub?.close()
    await closeClients(workers).catch(() => {})
    await Promise.all(servers.map(stopServer))
  }
  return result
}

// ------------------------------------------------------------------ main

async function redisUp() {
  return new Promise((r) => {
    const s = net.connect({ port: 6379, host: '127.0.0.1' })
    s.on('connect', () => {
      s.write('PING\r\n')
    })
    s.on('data', (d) => {
      s.destroy()
      r(d.toString().startsWith('+PONG'))
    })
    s.on('error', () => r(false))
  })
}

/** Redis's process id (INFO server), for the CPU split of the multi-process row; null if unknown. */
async function redisPid() {
  return new Promise((r) => {
    const s = net.connect({ port: 6379, host: '127.0.0.1' })
    let text = ''
    s.on('connect', () => s.write('INFO server\r\n'))
    s.on('data', (d) => {
      text += d
      const m = /process_id:(\d+)/.exec(text)
      if (m) {
        s.destroy()
        r(Number(m[1]))
      }
    })
    s.on('error', () => r(null))
    s.setTimeout(2000, () => {
      s.destroy()
      r(null)
    })
  })
}

const results = []
const startedAt = Date.now()

/** Writes what has been measured so far (after each target, and if the global timeout fires). */
function report({ final }) {
  const meta = {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: `${cpus().length} x ${cpus()[0]?.model?.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ulimit -n ${execFileSync('sh', ['-c', 'ulimit -n']).toString().trim()}`,
    // Any sizing option makes it a custom run: it does not overwrite latest-full/latest-quick.
    mode: ['sockets', 'rates', 'seconds', 'targets', 'multi-sockets', 'multi-servers'].some((k) => opt[k] !== undefined) || opt['cpu-prof'] || opt['profile-phases'] || opt['heap-snapshot']
      ? 'custom'
      : quick
        ? 'quick'
        : 'full',
    complete: final,
    config: cfg,
    duration_s: Math.round((Date.now() - startedAt) / 1000),
  }
  const md = markdown(results, meta, cfg.rates) + (final ? '' : '\n(incomplete: the run stopped before every target was measured)')
  mkdirSync(RESULTS, { recursive: true })
  const json = JSON.stringify({ meta, results }, null, 2)
  writeFileSync(join(RESULTS, `latest-${meta.mode}.json`), json)
  writeFileSync(join(RESULTS, `latest-${meta.mode}.md`), md + '\n')
  if (final) {
    const stamp = meta.date.replace(/[:]/g, '-')
    writeFileSync(join(RESULTS, `${stamp}-${meta.mode}.json`), json)
    writeFileSync(join(RESULTS, `${stamp}-${meta.mode}.md`), md + '\n')
    console.log(json)
    console.log()
    console.log(md)
    log(`done in ${meta.duration_s} s; results in bench/results/`)
  }
}

/**
 * The production build on a PostgreSQL database made for this run (users loaded with the
 * CLI), dropped afterwards; skipped with the reason when PostgreSQL does not answer.
 */
async function runPostgres(ipBlock) {
  const skipped = await unreachable(ADMIN_URL)
  if (skipped) {
    log(`--- ${PG_LABEL}: skipped: ${skipped}`)
    return { target: 'ours-pg', label: PG_LABEL, error: `skipped: ${skipped}` }
  }
  let database = null
  try {
    database = await createBenchDatabase(ADMIN_URL)
    log(`database ${database.name} created on ${redact(ADMIN_URL)}`)
    const data = makeDatabase('pg', cfg.sockets, { DATABASE_URL: database.url })
    return await runTarget('ours-pg', data, { sockets: cfg.sockets, ipBlock })
  } catch (err) {
    log(`${PG_LABEL} failed:`, err)
    return { target: 'ours-pg', label: PG_LABEL, error: String(err?.stack ?? err) }
  } finally {
    await database?.drop().catch((err) => log(`could not drop ${database.name} now (retried at exit): ${err.message}`))
  }
}

async function main() {
  build()
  const needSingle = cfg.targets.some((t) => ['ours', 'sio', 'floor'].includes(t))
  const single = needSingle ? makeDatabase('single', cfg.sockets) : null
  let ipBlock = 10 + (process.pid % 40) * 5
  for (const t of ['ours', 'pg', 'sio', 'floor']) {
    if (!cfg.targets.includes(t)) continue
    if (t === 'pg') results.push(await runPostgres(ipBlock++))
    else results.push(await runTarget(t, copyDatabase(single, t), { sockets: cfg.sockets, ipBlock: ipBlock++ }))
    report({ final: false })
  }
  if (cfg.targets.includes('multi')) {
    const hasRedisBus = existsSync(join(ROOT, 'dist', 'realtime', 'redis-bus.js'))
    if (!hasRedisBus) results.push({ target: 'ours-multi', label: 'ours + Redis', error: 'no Redis bus in dist/ (src/realtime/redis-bus.ts not built)' })
    else if (!(await redisUp())) results.push({ target: 'ours-multi', label: 'ours + Redis', error: 'no Redis at 127.0.0.1:6379' })
    else {
      const data = makeDatabase('multi', cfg.multiSockets)
      results.push(await runTarget('ours-multi', data, { processes: cfg.multiServers, sockets: cfg.multiSockets, ipBlock: ipBlock++ }))
    }
  }
  report({ final: true })
}

main()
  .then(() => {
    killAll()
    process.exit(0)
  })
  .catch((err) => {
    console.error(err)
    killAll()
    process.exit(1)
  })
