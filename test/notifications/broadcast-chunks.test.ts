/** A broadcast to more users than one INSERT ... SELECT takes (service.ts BROADCAST_CHUNK). */
import t from 'tap'
import { sql } from 'drizzle-orm'
import { BROADCAST_CHUNK } from '../../src/domains/notifications/service.js'
import { adminNotify, buildTestApp, connectReady, createUser, sqlRows, type Frame } from '../helper.js'

t.test('a broadcast over several chunks: one row per user, consecutive ids, the excluded left out, each socket once', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const loaded = await s.app.accounts.loadUsers(BROADCAST_CHUNK + 300, 'chunk')
  const early = loaded[0]!
  const late = loaded[loaded.length - 1]!
  // One user in the middle keeps comments out of the inbox.
  const quiet = loaded[BROADCAST_CHUNK - 1]!
  await s.app.notifications.preferences.put(quiet.id, { kinds: { comment: { inbox: false, toast: false, desktop: false } } })
  const sockets = await Promise.all([early, late, quiet].map((u) => connectReady(url, { token: u.token })))
  const marks = sockets.map((c) => c.client.mark())

  const res = await adminNotify(s.app, admin, { all: true, kind: 'comment', title: 'To everyone', message: 'in chunks' })
  t.equal(res.statusCode, 201)
  const { created, ids } = res.json() as { created: number; ids: number[] }
  const everyone = loaded.length + 1
  t.equal(created, everyone - 1, 'every user but the one who keeps comments out')
  t.equal(ids[ids.length - 1]! - ids[0]!, ids.length - 1, 'the ids follow on')
  const perUser = await sqlRows<{ user_id: number; n: number }>(s.app, sql`select user_id, count(*) as n from notifications where title = 'To everyone' group by user_id`)
  t.equal(perUser.length, everyone - 1, 'one row for each of them')
  t.ok(perUser.every((r) => Number(r.n) === 1), 'exactly one each')
  t.notOk(perUser.some((r) => r.user_id === quiet.id), 'none for the quiet one')

  const [earlyFrames, lateFrames] = await Promise.all([sockets[0]!.client.next('notification'), sockets[1]!.client.next('notification')])
  for (const [frame, user] of [[earlyFrames, early], [lateFrames, late]] as Array<[Frame, { id: number }]>) {
    t.equal(frame.notification.title, 'To everyone')
    t.ok(ids.includes(frame.notification.id), `user ${user.id} got a row of this broadcast`)
    t.ok(await s.app.notifications.find(user.id, frame.notification.id), 'its own row')
  }
  await new Promise((r) => setTimeout(r, 200))
  t.equal((await sockets[0]!.client.since(marks[0]!, 0, 'notification')).length, 1, 'the first user got it once')
  t.equal((await sockets[1]!.client.since(marks[1]!, 0, 'notification')).length, 1, 'the last user (second chunk) got it once')
  t.same(await sockets[2]!.client.since(marks[2]!, 0, 'notification'), [], 'the quiet one got no frame')
  for (const c of sockets) await c.client.close()
})
