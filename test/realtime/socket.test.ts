import t from 'tap'
import { adminNotify, bearer, buildTestApp, connect, connectReady, createUser } from '../helper.js'
import { liveSite } from './fixtures/live.js'

t.test('push reaches every socket of the user and nobody else', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)

  const a1 = await connectReady(url, { token: alice.token })
  const a2 = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  t.equal(a1.initial.unread_count, 0)
  t.equal(a1.initial.last_id, 0)
  t.same(a1.initial.recent_notifications, [])

  const bobMark = b.client.mark()
  const res = await adminNotify(s.app, admin, { user_ids: [alice.id], title: 'Hello', message: 'there' })
  t.equal(res.statusCode, 201)
  const { ids } = res.json()
  for (const c of [a1.client, a2.client]) {
    const f = await c.next('notification')
    t.equal(f.notification.id, ids[0])
    t.equal(f.notification.title, 'Hello')
    t.equal(f.unread_count, 1)
    t.match(f.content, /id="notif-badge"/)
  }
  t.same(await b.client.since(bobMark, 200), [], 'bob got nothing')

  // mark_read on one tab updates the count on both
  const bobMark2 = b.client.mark()
  a1.client.send({ type: 'mark_read', id: ids[0] })
  for (const c of [a1.client, a2.client]) t.equal((await c.next('count_update')).unread_count, 0)
  t.same(await b.client.since(bobMark2, 100), [], 'bob still got nothing')

  const other = await s.app.inject({ method: 'POST', url: `/api/notifications/${ids[0]}/read`, headers: bearer(bob) })
  t.equal(other.statusCode, 404)
  for (const c of [a1.client, a2.client, b.client]) await c.close()
})

t.test('bad frames get error frames and the socket stays open', async (t) => {
  const { url, alice } = await liveSite(t, ['alice'])
  const { client } = await connectReady(url, { token: alice.token })
  client.send('{not json')
  t.equal((await client.next('error')).code, 'bad_json')
  client.send({ type: 'nope' })
  t.equal((await client.next('error')).code, 'unknown_type')
  client.send({ type: 'mark_read', id: 'x' })
  t.equal((await client.next('error')).code, 'invalid')
  client.send({ type: 'ping', ts: 42 })
  t.same(await client.next('pong'), { type: 'pong', ts: 42 })
  client.send('x'.repeat(17 * 1024))
  t.equal(await client.closed, 1009)
})

t.test('auth failures close with 4401', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const c = await connect(url, { token: 'forged.token.value' })
  t.equal(await c.closed, 4401)
  const none = await connect(url)
  t.equal(await none.closed, 4401)
})
