/**
 * WAL checkpoints off the event loop. With `synchronous = NORMAL` a commit does not
 * fsync, but SQLite's automatic checkpoint (every 1,000 WAL pages: about every 250
 * single-row notifications) copies pages back and fsyncs inside the committing call:
 * 8-70 ms on this disk, measured, the longest event-loop blocks of a steady load. The
 * serving connection turns it off and a worker thread with its own connection runs a
 * PASSIVE checkpoint every second (PASSIVE never waits for or blocks the writer).
 * If the worker cannot run, the automatic checkpoint is turned back on.
 */
import type { FastifyInstance } from 'fastify'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { SqliteDb } from './client.js'

const AUTO_CHECKPOINT_PAGES = 1000

// Plain CommonJS run by the worker: the driver's path comes resolved from here, so
// the worker loads nothing else (no TypeScript loader either, execArgv is empty).
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma('busy_timeout = 0')
const checkpoint = () => {
  try {
    parentPort.postMessage(db.pragma('wal_checkpoint(PASSIVE)')[0])
  } catch (err) {
    // Another connection holds the checkpoint (or is recovering the WAL): next time.
    if (err.code !== 'SQLITE_BUSY' && err.code !== 'SQLITE_LOCKED') throw err
  }
}
const timer = setInterval(checkpoint, workerData.everyMs)
parentPort.on('message', () => {
  clearInterval(timer)
  db.close()
  parentPort.close()
})
`

export interface CheckpointOptions {
  everyMs?: number
  /** WAL frames past which this connection finishes the worker's checkpoint itself. */
  finishAbove?: number
}

function isFile(path: string): boolean {
  return path !== '' && path !== ':memory:' && !path.startsWith('file::memory:') && !path.includes('mode=memory')
}

/**
 * Starts the checkpointer for the app's database file (nothing for an in-memory one); stops
 * when the app closes. The worker posts each checkpoint's result (`{busy, log, checkpointed}`).
 */
export function checkpointOffThread(
  app: Pick<FastifyInstance, 'config' | 'log' | 'addHook'>,
  db: SqliteDb,
  { everyMs = 1000, finishAbove = AUTO_CHECKPOINT_PAGES }: CheckpointOptions = {},
): Worker | undefined {
  const path = app.config.databasePath
  if (!isFile(path)) return undefined
  const sqlite = db.$client
  sqlite.pragma('wal_autocheckpoint = 0')
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER, { eval: true, execArgv: [], workerData: { driver, path: resolve(path), everyMs } })
  worker.unref()
  let running = true
  worker.on('error', (err) => {
    app.log.warn({ err }, 'WAL checkpoint thread failed; automatic checkpoints are back on')
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`)
  })
  worker.on('exit', () => (running = false))
  // Under a steady stream of commits the worker never finds the WAL fully copied
  // (frames arrive while it syncs), and SQLite starts the WAL over only then: it would
  // grow without end. Once it holds more than the automatic threshold, this
  // connection copies the few frames the worker left (1-6 ms here, at most once per
  // round), and the next commit starts the WAL over.
  // Never inside a transaction: group commit holds one open across turns of the event
  // loop, and a checkpoint there fails with SQLITE_LOCKED (which, thrown from this
  // listener, once ended a server under load). Whatever else fails waits for the next round.
  worker.on('message', ({ log }: { log: number }) => {
    if (log <= finishAbove || !sqlite.open || sqlite.inTransaction) return
    try {
      sqlite.pragma('wal_checkpoint(PASSIVE)')
    } catch (err) {
      const code = (err as { code?: string }).code
      if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') app.log.warn({ err }, 'WAL checkpoint on the serving connection failed; the next round tries again')
    }
  })
  app.addHook('onClose', async () => {
    if (!running) return
    const exited = new Promise((done) => worker.once('exit', done))
    // Held until it has closed its connection (unreferenced, the process could end first).
    worker.ref()
    worker.postMessage('stop')
    await exited
  })
  return worker
}
