import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildTestApp, connectReady, createUser } from '../helper.js'
import { api, befriend, marks, openSockets, sharedBus, sleep, socialSite } from './fixtures/social.js'

t.test('online while any tab is open; offline after the grace period once the last closes', async (t) => {
  const { s, url, alice, bob, carol } = await socialSite(t)
  t.equal(s.app.social.presence.graceMs, 5000, 'the default grace period')
  s.app.social.presence.graceMs = 150
  await befriend(s.app, alice, bob)
  const [b, c] = await openSockets(t, url, bob, carol)
  const [cMark] = marks(c)

  const tab1 = await connectReady(url, { token: alice.token })
  const on = await b.client.next('presence')
  t.match(on, { type: 'presence', user_id: alice.id, online: true })
  t.match(on.content, new RegExp(`class="presence-dot presence-user-${alice.id} online"[^>]*hx-swap-oob="outerHTML:.presence-user-${alice.id}"`))
  t.ok(s.app.social.presence.isOnline(alice.id))
  t.same((await api(s.app, bob, 'GET', '/api/friends')).body.friends[0].online, true)

  const tab2 = await connectReady(url, { token: alice.token })
  const [bTwoTabs] = marks(b)
  await tab1.client.close()
  t.same(await b.client.since(bTwoTabs, 400, 'presence'), [], 'closing one of two tabs keeps alice online')
  t.ok(s.app.social.presence.isOnline(alice.id))

  // A reload: the last tab closes and a new one opens within the grace period.
  const [bReload] = marks(b)
  await tab2.client.close()
  await sleep(30)
  const tab3 = await connectReady(url, { token: alice.token })
  t.same(await b.client.since(bReload, 400, 'presence'), [], 'a reload does not flicker')

  await tab3.client.close()
  const off = await b.client.next('presence', 2000)
  t.match(off, { user_id: alice.id, online: false })
  t.notOk(s.app.social.presence.isOnline(alice.id))
  t.same((await api(s.app, bob, 'GET', '/api/friends')).body.friends[0].online, false)
  t.same(await c.client.since(cMark, 0, 'presence'), [], 'carol (not a friend) got no presence frames')
  t.same(tab1.client.ofType('presence'), [], 'alice gets no frames about herself')
})

t.test('two processes sharing the database and the bus: online while either holds a socket', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'social-presence-'))
  const databasePath = join(dir, 'app.db')
  const busFor = sharedBus() // stands in for Redis: both processes see every event
  const p1 = await buildTestApp({ databasePath }, { bus: busFor() })
  const p2 = await buildTestApp({ databasePath }, { bus: busFor() })
  t.teardown(async () => {
    await p1.close().catch(() => {})
    await p2.close().catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  })
  const url1 = await p1.listen()
  const url2 = await p2.listen()
  for (const p of [p1, p2]) p.app.social.presence.graceMs = 100
  t.not(p1.app.social.presence.processId, p2.app.social.presence.processId)

  const alice = await createUser(p1.app)
  const bob = await createUser(p1.app)
  await befriend(p1.app, alice, bob)
  const b = await connectReady(url2, { token: bob.token })

  const on1 = await connectReady(url1, { token: alice.token })
  t.match(await b.client.next('presence'), { user_id: alice.id, online: true }, 'bob, on the other process, sees alice come online')
  const [bSecond] = marks(b)
  const on2 = await connectReady(url2, { token: alice.token })
  t.same(await b.client.since(bSecond, 200, 'presence'), [], 'a second socket on another process changes nothing')
  t.ok(p2.app.social.presence.isOnline(alice.id), 'process 2 knows alice is online')

  const [bFirstGone] = marks(b)
  await on1.client.close()
  t.same(await b.client.since(bFirstGone, 400, 'presence'), [], 'her socket on process 2 keeps her online')
  t.ok(p1.app.social.presence.isOnline(alice.id), 'process 1 still sees her online (through process 2)')

  const [bBothGone] = marks(b)
  await on2.client.close()
  t.match(await b.client.next('presence', 2000), { user_id: alice.id, online: false })
  t.equal((await b.client.since(bBothGone, 300, 'presence')).length, 1, 'offline is announced once')

  // A process that dies without cleaning up: its rows go stale and another process sweeps them.
  const sqlite = p1.app.db.$client
  sqlite.prepare('INSERT INTO presence_processes (id, heartbeat_at) VALUES (?, ?)').run('dead-process', Date.now() - 60_000)
  sqlite.prepare('INSERT INTO presence (user_id, process_id, since) VALUES (?, ?, ?)').run(alice.id, 'dead-process', Date.now() - 60_000)
  t.notOk(p1.app.social.presence.isOnline(alice.id), 'a stale process does not count')
  p1.app.social.presence.beat()
  t.match(await b.client.next('presence', 2000), { user_id: alice.id, online: false }, 'the sweep announces the leftover user offline')
  t.equal(sqlite.prepare("SELECT count(*) FROM presence_processes WHERE id = 'dead-process'").pluck().get(), 0)

  // A clean shutdown of process 1 takes its users offline unless process 2 holds them.
  const again = await connectReady(url1, { token: alice.token })
  t.match(await b.client.next('presence'), { online: true })
  await p1.close()
  t.match(await b.client.next('presence', 2000), { user_id: alice.id, online: false }, 'shutdown announces offline')
  await again.client.closed
  await b.client.close()
})
