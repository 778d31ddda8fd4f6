import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { bearer, buildTestApp, createUser } from '../helper.js'
import { createPost } from './fixtures/blog.js'

/** Starts a like worker and resolves once it has loaded. */
function worker(dbPath: string, postId: number, userIds: number[], rounds: number) {
  const child = spawn(process.execPath, ['--import=tsx', join(import.meta.dirname, 'fixtures', 'like-worker.ts'), dbPath, String(postId), userIds.join(','), String(rounds)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  const lines: string[] = []
  let onLine: (() => void) | null = null
  child.stdout.on('data', (d) => {
    out += d
    let i
    while ((i = out.indexOf('\n')) >= 0) {
      lines.push(out.slice(0, i))
      out = out.slice(i + 1)
      onLine?.()
    }
  })
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        if (lines.length) {
          onLine = null
          resolve(lines.shift()!)
        }
      }
      onLine = check
      child.once('exit', (code) => (lines.length ? check() : reject(new Error(`worker exited ${code}`))))
      check()
    })
  return { child, nextLine }
}

t.test('likes and unlikes from three processes at once still give one grouped notification', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'blog-concurrency-'))
  const dbPath = join(dir, 'test.db')
  const s = await buildTestApp({ databasePath: dbPath })
  t.teardown(async () => {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const alice = await createUser(s.app)
  const post = await createPost(s.app, alice, 'Contended')
  const likers = await Promise.all(Array.from({ length: 12 }, () => createUser(s.app)))
  const groups = [likers.slice(0, 4), likers.slice(4, 8), likers.slice(8)]

  // Each worker likes and unlikes for its users ROUNDS times (ending liked): ~1000
  // write transactions racing for the same group row.
  const ROUNDS = 40
  const workers = groups.map((g) => worker(dbPath, post.id, g.map((u) => u.id), ROUNDS))
  for (const w of workers) t.equal(await w.nextLine(), 'ready')
  for (const w of workers) w.child.stdin.write('go\n')
  const results = await Promise.all(workers.map(async (w) => JSON.parse(await w.nextLine())))
  const overlap = Math.min(...results.map((r) => r.endedAt)) - Math.max(...results.map((r) => r.startedAt))
  t.comment(`the three writers overlapped for ${overlap} ms`)
  t.same(results.map((r) => r.errors), [[], [], []], 'no writer failed (busy_timeout + IMMEDIATE)')
  t.same(results.map((r) => r.transactions), [1, 1, 1].map(() => 4 * (2 * ROUNDS - 1)))

  const list = (await s.app.inject({ method: 'GET', url: '/api/notifications', headers: bearer(alice) })).json()
  t.equal(list.notifications.length, 1, 'one notification')
  t.equal(list.unread_count, 1)
  t.match(list.notifications[0].message, /^\S+ and 11 others liked "Contended"$/)
  const read = (await s.app.inject({ method: 'GET', url: `/api/blog/posts/${post.id}` })).json()
  t.equal(read.post.like_count, 12)
})
