/** WAL checkpoints run on a worker thread: the serving connection never checkpoints in a commit. */
import { once } from 'node:events'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Database from 'better-sqlite3'
import t, { type Test } from 'tap'
import { checkpointOffThread, type CheckpointOptions } from '../../src/db/checkpoint.js'
import { openDatabase } from '../../src/db/client.js'
import { buildTestApp } from '../helper.js'

t.test('a file database: no automatic checkpoint on the serving connection, the worker copies the WAL back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'))
  const databasePath = join(dir, 'app.db')
  const s = await buildTestApp({ databasePath })
  t.teardown(async () => {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const sqlite = s.app.db.$client as Database.Database
  t.same(sqlite.pragma('wal_autocheckpoint'), [{ wal_autocheckpoint: 0 }], 'off on the serving connection')

  const before = statSync(databasePath).size
  sqlite.exec('create table scratch (body blob)')
  const insert = sqlite.prepare('insert into scratch (body) values (randomblob(4000))')
  for (let i = 0; i < 100; i++) insert.run()
  t.equal(statSync(databasePath).size, before, 'the rows are in the WAL only')
  // The worker checkpoints once a second; a loaded machine can delay it, and the file
  // grows page by page while it copies: wait for most of the 100 pages (a few may reuse
  // free pages the migrations left), or 30 s.
  const grown = 90 * 4096
  let after = before
  for (const end = Date.now() + 30_000; after < before + grown && Date.now() < end; ) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    after = statSync(databasePath).size
  }
  t.ok(after >= before + grown, `the database file took them without the serving connection checkpointing (${before} -> ${after} bytes)`)
})

t.test('an in-memory database keeps SQLite defaults', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  t.same((s.app.db.$client as Database.Database).pragma('wal_autocheckpoint'), [{ wal_autocheckpoint: 1000 }])
})

/**
 * A database file in a temp dir with its checkpointer started directly (no app), both
 * closed on teardown; `warned` collects what it logs as warnings.
 */
function checkpointed(t: Test, options: CheckpointOptions) {
  const dir = mkdtempSync(join(tmpdir(), 'checkpoint-'))
  const databasePath = join(dir, 'app.db')
  const db = openDatabase(databasePath)
  const closing: Array<() => Promise<void>> = []
  const warned: object[] = []
  const app = { config: { databasePath }, log: { warn: (obj: object) => warned.push(obj) }, addHook: (_: string, fn: () => Promise<void>) => closing.push(fn) }
  const worker = checkpointOffThread(app as unknown as Parameters<typeof checkpointOffThread>[0], db, options)!
  t.teardown(async () => {
    for (const close of closing) await close()
    db.$client.close()
    rmSync(dir, { recursive: true, force: true })
  })
  return { databasePath, sqlite: db.$client, worker, warned }
}

t.test('under a steady stream of commits the WAL still starts over (it does not grow without end)', async (t) => {
  const { databasePath, sqlite, worker } = checkpointed(t, { everyMs: 50, finishAbove: 20 })
  sqlite.exec('create table scratch (n integer, body blob)')
  sqlite.exec('create index scratch_n on scratch (n)')
  const insert = sqlite.prepare('insert into scratch (n, body) values (random(), randomblob(200))')
  // The stream starts once the worker has checkpointed once: starting a thread and loading
  // the driver can take seconds on a loaded machine, and the WAL grows meanwhile.
  await once(worker, 'message')
  let commits = 0
  for (const end = Date.now() + 2000; Date.now() < end; commits++) {
    insert.run()
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  // Every commit appends two 4 KiB pages (table and index) to the WAL; started over
  // now and then, the file holds a few rounds' worth at most.
  const wal = statSync(`${databasePath}-wal`).size
  t.ok(wal < commits * 8192 / 4, `${commits} commits, WAL ${wal} bytes`)
})

t.test('a transaction held open across turns of the event loop (group commit) is left alone, and the process goes on', async (t) => {
  // Seen in a benchmark at 5,000 notifications/s: the serving connection's catch-up
  // checkpoint ran while group commit held its transaction open, SQLite answered
  // SQLITE_LOCKED ("database table is locked"), and the throw ended the server.
  const { sqlite, worker, warned } = checkpointed(t, { everyMs: 20, finishAbove: 0 })
  sqlite.exec('create table scratch (body blob)')
  const insert = sqlite.prepare('insert into scratch (body) values (randomblob(4000))')
  for (let i = 0; i < 20; i++) insert.run()
  await once(worker, 'message')
  const failures: Error[] = []
  const onError = (err: Error) => failures.push(err)
  process.on('uncaughtException', onError)
  t.teardown(() => void process.off('uncaughtException', onError))
  // The worker's rounds, counted ahead of the checkpointer's own listener (which may throw).
  let rounds = 0
  worker.prependListener('message', () => rounds++)
  sqlite.exec('begin immediate')
  insert.run()
  // Several rounds while the transaction is open, each over the threshold.
  for (const end = Date.now() + 10_000; rounds < 5 && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(rounds >= 5, `${rounds} rounds of the worker during the transaction`)
  t.equal(sqlite.inTransaction, true, 'the transaction is still open')
  sqlite.exec('commit')
  t.same(failures.map((e) => e.message), [], 'no checkpoint error escaped')
  t.same(warned, [], 'nothing to warn about: a transaction in progress is the normal case')
  await once(worker, 'message')
  t.equal((sqlite.prepare('select count(*) as n from scratch').get() as { n: number }).n, 21, 'every row is there')
})
