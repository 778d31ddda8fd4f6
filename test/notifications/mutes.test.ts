/** Mutes: a muted thread creates nothing for that user until `until` or unmuted; only threads you can see. */
import t from 'tap'
import { bearer, connectReady } from '../helper.js'
import { liveSite } from '../realtime/fixtures/live.js'
import { befriend } from '../social/fixtures/social.js'

t.test('mute, list, unmute; a muted thread creates nothing for that user, others still get it', async (t) => {
  const clock = { now: Date.now() }
  const { s, url, alice, bob, carol } = await liveSite(t, ['alice', 'bob', 'carol'], {}, { now: () => clock.now })
  const call = (method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object, user = alice) =>
    s.app.inject({ method, url: path, headers: bearer(user), payload })
  const until = new Date(clock.now + 3600_000).toISOString()
  let res = await call('POST', '/api/mutes', { thread: 'user:' + bob.id, until })
  t.equal(res.statusCode, 201)
  t.same(res.json(), { thread: `user:${bob.id}`, until })
  res = await call('POST', '/api/mutes', { thread: `user:${carol.id}` })
  t.same(res.json(), { thread: `user:${carol.id}`, until: null }, 'until unmuted')
  res = await call('GET', '/api/mutes')
  t.same(res.json(), { mutes: [{ thread: `user:${bob.id}`, until }, { thread: `user:${carol.id}`, until: null }].sort((a, b) => a.thread.localeCompare(b.thread)) })
  t.same((await call('GET', '/api/mutes', undefined, bob)).json(), { mutes: [] }, "bob's mutes are his own")

  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const marks = [a.client.mark(), b.client.mark()] as const
  const note = { kind: 'friend_request' as const, title: 'hi', thread: `user:${bob.id}` }
  t.equal((await s.app.notifications.notify({ userIds: [alice.id, bob.id] }, note)).created, 1, 'only bob (who did not mute it)')
  await b.client.next('notification')
  t.same(await a.client.since(marks[0], 150), [], 'alice got nothing')
  t.equal((await s.app.notifications.counts(alice.id)).unread_count, 0)
  t.equal((await s.app.notifications.notify({ userIds: [alice.id] }, { ...note, thread: 'post:1' })).created, 1, 'other threads still come')

  clock.now += 3600_000 + 1
  t.equal((await s.app.notifications.notify({ userIds: [alice.id] }, note)).created, 1, 'after until the thread speaks again')
  t.same((await call('GET', '/api/mutes')).json().mutes.map((m: any) => m.thread), [`user:${carol.id}`], 'expired mutes are not listed')

  res = await call('DELETE', `/api/mutes/user:${carol.id}`)
  t.equal(res.statusCode, 204)
  t.equal((await s.app.notifications.notify({ userIds: [alice.id] }, { ...note, thread: `user:${carol.id}` })).created, 1, 'unmuted')
  res = await call('DELETE', `/api/mutes/user:${carol.id}`)
  t.equal(res.statusCode, 404, 'unmuting what is not muted: 404')
  t.equal((await b.client.since(marks[1], 100, 'notification', 1)).length, 1, 'bob got only his own notification')
})

t.test('bad input: malformed thread or until (400), a thread you cannot see (404); nothing stored', async (t) => {
  const { s, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const call = (payload: object) => s.app.inject({ method: 'POST', url: '/api/mutes', headers: bearer(alice), payload })
  for (const [body, field] of [
    [{ thread: 'post' }, 'thread'],
    [{ thread: 'poll:3' }, 'thread'],
    [{ thread: 'post:0' }, 'thread'],
    [{ thread: 'user:2', until: new Date(Date.now() - 1000).toISOString() }, 'until'],
    [{ thread: 'user:2', until: 'soon' }, 'until'],
  ] as const) {
    const res = await call(body)
    t.equal(res.statusCode, 400, JSON.stringify(body))
    t.match(res.json(), { error: 'invalid', fields: { [field]: String } })
  }
  for (const thread of ['post:999', 'invoice:999', 'conversation:999', 'user:999999']) {
    const res = await call({ thread })
    t.equal(res.statusCode, 404, `${thread}: 404`)
    t.match(res.json(), { error: 'not_found' })
  }
  await befriend(s.app, alice, bob)
  const conversation = await s.app.social.startConversation(bob.id, alice.id)
  t.equal((await call({ thread: `conversation:${conversation}` })).statusCode, 201, 'her own conversation')
  const carolsOwn = await s.app.inject({ method: 'POST', url: '/api/mutes', headers: bearer(bob), payload: { thread: 'invoice:1' } })
  t.equal(carolsOwn.statusCode, 404, 'an invoice that is not his')
  t.same((await s.app.inject({ method: 'GET', url: '/api/mutes', headers: bearer(alice) })).json().mutes.map((m: any) => m.thread), [`conversation:${conversation}`])
})
