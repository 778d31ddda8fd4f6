/** Idempotency-Key on POST /api/notifications: a retried publish never notifies twice, also across processes. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { createLocalBus, type BusHandler } from '../../src/realtime/bus.js'
import { bearer, buildTestApp, connectReady, createUser } from '../helper.js'
import { liveSite } from '../realtime/fixtures/live.js'

t.test('same key and body: the first answer again, nothing created, nothing pushed; another body: 422', async (t) => {
  const clock = { now: Date.now() }
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'], {}, { now: () => clock.now })
  const admin = await createUser(s.app, { admin: true })
  const aSock = await connectReady(url, { token: alice.token })
  const bSock = await connectReady(url, { token: bob.token })
  const publish = (body: object, key?: string, user = admin) =>
    s.app.inject({ method: 'POST', url: '/api/notifications', headers: { ...bearer(user), ...(key === undefined ? {} : { 'idempotency-key': key }) }, payload: body })
  const body = { user_ids: [alice.id], title: 'Hello', message: 'once' }

  const bobMark = bSock.client.mark()
  const first = await publish(body, 'k-1')
  t.equal(first.statusCode, 201)
  t.match(first.json(), { created: 1, ids: [Number] })
  t.equal((await aSock.client.next('notification')).notification.id, first.json().ids[0])
  const aMark = aSock.client.mark()
  const again = await publish({ message: 'once', title: 'Hello', user_ids: [alice.id] }, 'k-1')
  t.equal(again.statusCode, 201, 'the same body (keys in another order)')
  t.same(again.json(), first.json(), 'the first answer again')
  t.same(await aSock.client.since(aMark, 150), [], 'alice got nothing the second time')
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 1, 'nothing created')

  const other = await publish({ ...body, message: 'different' }, 'k-1')
  t.equal(other.statusCode, 422)
  t.same(other.json(), { error: 'idempotency_key_reused', message: 'This Idempotency-Key was used with another body' })
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 1, 'nothing created')

  const admin2 = await createUser(s.app, { admin: true })
  t.equal((await publish(body, 'k-1', admin2)).statusCode, 201, "another caller's key is its own")
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 2)
  t.equal((await publish(body)).statusCode, 201, 'without a key: every publish creates')
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 3)

  for (const bad of ['', 'x'.repeat(256), 'tab\there', 'é']) {
    const res = await publish(body, bad)
    t.equal(res.statusCode, 400, `key ${JSON.stringify(bad).slice(0, 20)}: 400`)
    t.match(res.json(), { error: 'invalid' })
  }
  const notAdmin = await publish(body, 'k-2', alice)
  t.equal(notAdmin.statusCode, 403, 'non-admins: 403 with a key too')

  clock.now += 24 * 3600_000 + 1
  const later = await publish(body, 'k-1')
  t.equal(later.statusCode, 201)
  t.not(later.json().ids[0], first.json().ids[0], 'after 24 h the key is new again')
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 4)
  t.same(await bSock.client.since(bobMark, 100), [], 'bob got nothing')
})

t.test('two concurrent publishes with one key on two processes sharing the database: one set of rows, one answer', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'idempotency-'))
  const databasePath = join(dir, 'app.db')
  const group = new Set<BusHandler>()
  const p1 = await buildTestApp({ databasePath }, { bus: createLocalBus(group) })
  const p2 = await buildTestApp({ databasePath }, { bus: createLocalBus(group) })
  t.teardown(async () => {
    await p1.close()
    await p2.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await p1.listen()
  const admin = await createUser(p1.app, { admin: true })
  const alice = await createUser(p1.app)
  const sock = await connectReady(p2.url || (await p2.listen()), { token: alice.token })
  const mark = sock.client.mark()
  const body = { all: true, title: 'Broadcast', message: 'once' }
  const answers = await Promise.all(
    [p1, p2, p1, p2].map((p) =>
      p.app.inject({ method: 'POST', url: '/api/notifications', headers: { ...bearer(admin), 'idempotency-key': 'same' }, payload: body }),
    ),
  )
  t.same(answers.map((r) => r.statusCode), [201, 201, 201, 201])
  t.equal(new Set(answers.map((r) => r.body)).size, 1, 'one answer')
  t.equal(answers[0]!.json().created, 2, 'admin and alice')
  t.equal((await p2.app.notifications.counts(alice.id)).unread_count, 1, 'one row for alice')
  t.equal((await sock.client.since(mark, 200, 'notification', 1)).length, 1, 'one push')
})
