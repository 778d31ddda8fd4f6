/**
 * WORKERS=N (N > 1): the primary process forks N workers on one port (node:cluster
 * hands each new connection to a worker in turn). Each worker builds its own app
 * and hub; Redis pub/sub (REDIS_URL) joins them, so without it more than one
 * worker is refused. The primary migrates the database once, restarts a worker
 * that dies, and on SIGTERM/SIGINT stops every worker gracefully (their sockets
 * get 1012 and reconnect elsewhere) before it exits.
 */
import cluster, { type Worker } from 'node:cluster'
import { AggregatorRegistry } from 'prom-client'
import type { Config } from './config.js'
import { closeDatabase, connectDatabase } from './db/client.js'
import type { MetricsMessage } from './operations/index.js'

/** Parses WORKERS: absent or empty means 1; `auto` means one per CPU. */
export function workerCount(value: string | undefined, cpus: number): number {
  if (value === undefined || value === '') return 1
  if (value === 'auto') return Math.max(1, cpus)
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 256) {
    throw new Error(`WORKERS must be a whole number from 1 to 256, or "auto"; got "${value}"`)
  }
  return Number(value)
}

/** Why this configuration cannot run several workers, or null. */
export function clusterProblem(workers: number, config: Config): string | null {
  if (workers <= 1) return null
  if (!config.redisUrl) {
    return `WORKERS=${workers} needs REDIS_URL: each worker holds its own sockets, and only Redis pub/sub carries events between them. Set REDIS_URL (e.g. redis://127.0.0.1:6379) or run one worker.`
  }
  if (config.databasePath === ':memory:' && !config.databaseUrl) return `WORKERS=${workers} needs a database file (DATABASE_PATH), not :memory:`
  return null
}

const log = (msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, role: 'primary', ...extra, msg }) + '\n')

export async function runPrimary(workers: number, config: Config): Promise<void> {
  // Migrate once, before the workers open the file.
  await closeDatabase(await connectDatabase(config))

  let stopping = false
  const restarts: number[] = []
  const ids = new Map<Worker, number>()

  const fork = (id: number) => {
    const worker = cluster.fork({ WORKER_ID: String(id) })
    ids.set(worker, id)
  }
  for (let i = 1; i <= workers; i++) fork(i)

  let listening = 0
  cluster.on('listening', () => {
    if (++listening === workers) log(`serving http://${config.host}:${config.port} with ${workers} workers joined by Redis`, { workers })
  })

  cluster.on('exit', (worker, code, signal) => {
    const id = ids.get(worker) ?? 0
    ids.delete(worker)
    if (stopping) {
      if (ids.size === 0) {
        log('all workers stopped')
        process.exit(0)
      }
      return
    }
    // Restart a crashed worker, but not in a tight loop.
    const now = Date.now()
    restarts.push(now)
    while (restarts.length && restarts[0]! < now - 60_000) restarts.shift()
    if (restarts.length > workers * 5) {
      log('workers keep dying; giving up', { code, signal })
      stopping = true
      for (const w of ids.keys()) w.process.kill('SIGTERM')
      process.exitCode = 1
      if (ids.size === 0) process.exit(1)
      return
    }
    log(`worker ${id} exited; starting another`, { code, signal })
    setTimeout(() => fork(id), 500).unref()
  })

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return
    stopping = true
    log('shutting down workers', { signal })
    for (const w of ids.keys()) w.process.kill('SIGTERM')
    if (ids.size === 0) process.exit(0)
    // Workers close their sockets (1012) and finish within their own grace delay.
    setTimeout(() => {
      for (const w of ids.keys()) w.process.kill('SIGKILL')
      process.exit(1)
    }, config.shutdownDrainMs + 15_000).unref()
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)

  // /metrics in a worker asks the primary, which aggregates every worker's registry
  // (prom-client's AggregatorRegistry: counters and histograms add up).
  const aggregator = new AggregatorRegistry()
  cluster.on('message', (worker, msg: MetricsMessage) => {
    if (msg?.t !== 'metrics:collect' || typeof msg.id !== 'string') return
    const answer = (reply: MetricsMessage) => worker.isConnected() && worker.send(reply)
    aggregator.clusterMetrics().then(
      (text) => answer({ t: 'metrics:collected', id: msg.id, text }),
      (err: Error) => answer({ t: 'metrics:collected', id: msg.id, error: err.message }),
    )
  })
}
