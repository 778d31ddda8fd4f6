import t from 'tap'
import { connectReady } from '../helper.js'
import { liveSite, systemTemplate } from './fixtures/live.js'

// A row committed just before a socket opened is in that socket's snapshot (or replay);
// the bus may still deliver its push afterwards. The socket must not get it twice,
// while a grouped rewrite of the same id (updated: true) is still pushed.
t.test('a push of a row already in the connect snapshot or replay is skipped', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const { app } = s

  const first = (await app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'before' })).ids[0]!
  await new Promise((r) => setTimeout(r, 50)) // its push went out to nobody
  const fresh = await connectReady(url, { token: alice.token })
  const resumed = await connectReady(url, { token: alice.token, query: { since: '0' } })
  const other = await connectReady(url, { token: bob.token })
  t.equal(fresh.initial.recent_notifications[0].id, first, 'in the snapshot')
  t.equal((await resumed.client.next('notification')).notification.id, first, 'in the replay')

  const template = systemTemplate('late copy')
  const marks = [fresh.client.mark(), resumed.client.mark(), other.client.mark()] as const
  app.hub.deliver({ type: 'notify', template, recipients: [[alice.id, first]], at: Date.now() })
  t.same(await fresh.client.since(marks[0], 150, 'notification'), [], 'no second copy for the fresh socket')
  t.same(await resumed.client.since(marks[1], 0, 'notification'), [], 'no second copy for the resumed socket')

  app.hub.deliver({ type: 'notify', template: { ...template, title: 'rewritten' }, recipients: [[alice.id, first]], updated: true, at: Date.now() })
  for (const c of [fresh.client, resumed.client]) {
    const f = await c.next('notification')
    t.equal(f.notification.id, first)
    t.equal(f.notification.title, 'rewritten', 'a grouped rewrite of a seen id is pushed')
  }

  const next = (await app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'after' })).ids[0]!
  for (const c of [fresh.client, resumed.client]) t.equal((await c.next('notification')).notification.id, next, 'later rows still arrive')
  t.same(await other.client.since(marks[2], 100), [], 'bob got nothing')
  for (const c of [fresh.client, resumed.client, other.client]) await c.close()
})
