import { Redis } from 'ioredis'
import type Database from 'better-sqlite3'
import { dialectOf } from '../../src/db/dialect.js'
import t from 'tap'
import { connectReady, createUser } from '../helper.js'
import { redisInstances, redisProblem, REDIS_URL, until } from '../scale/fixtures/servers.js'
import { api, befriend, marks, openSockets, sleep, socialSite } from './fixtures/social.js'

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

const problem = await redisProblem()
t.test('two processes sharing the database and Redis: online while either holds a socket', { skip: problem ? `Redis not reachable at ${REDIS_URL}: ${problem}` : false }, async (t) => {
  const { instance, prefix } = redisInstances(t, 'presence')
  const p1 = await instance()
  const p2 = await instance()
  const url1 = p1.url
  const url2 = p2.url
  for (const p of [p1, p2]) p.app.social.presence.graceMs = 100
  t.not(p1.app.social.presence.processId, p2.app.social.presence.processId)
  const redis = new Redis(REDIS_URL)
  t.teardown(() => redis.quit())
  const subscribed = (userId: number) =>
    until(`user ${userId} subscribed`, async () => Number(((await redis.pubsub('NUMSUB', `${prefix}user:${userId}`)) as unknown[])[1]) >= 1)

  const alice = await createUser(p1.app)
  const bob = await createUser(p1.app)
  await befriend(p1.app, alice, bob)
  const b = await connectReady(url2, { token: bob.token })
  await subscribed(bob.id)

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
  t.notOk(p1.app.social.presence.isOnline(alice.id))

  // A process that died without cleaning up: its deadline passed; the next beat of another sweeps it.
  await redis
    .multi()
    .zadd(`${prefix}presence:procs`, Date.now() - 60_000, 'dead-process')
    .sadd(`${prefix}presence:proc:dead-process`, alice.id)
    .sadd(`${prefix}presence:online`, alice.id)
    .exec()
  const [bSweep] = marks(b)
  await p1.app.social.presence.beat()
  t.match(await b.client.next('presence', 2000), { user_id: alice.id, online: false }, 'the sweep announces the leftover user offline')
  t.equal((await b.client.since(bSweep, 300, 'presence')).length, 1, 'once')
  t.equal(await redis.zscore(`${prefix}presence:procs`, 'dead-process'), null, 'the dead process is gone')
  t.equal(await redis.exists(`${prefix}presence:proc:dead-process`), 0)

  // A clean shutdown of process 1 takes its users offline unless process 2 holds them.
  const again = await connectReady(url1, { token: alice.token })
  t.match(await b.client.next('presence'), { online: true })
  await p1.close()
  t.match(await b.client.next('presence', 2000), { user_id: alice.id, online: false }, 'shutdown announces offline')
  await again.client.closed
  await b.client.close()
})

t.test('one process keeps presence in memory: no database table, nothing in Redis', async (t) => {
  const { s } = await socialSite(t)
  t.equal(s.app.sharedRedis, null)
  // migrations-pg never had them; the SQLite file drops them (migration 0007).
  if (dialectOf(s.app.db) === 'sqlite') {
    const tables = (s.app.db.$client as Database.Database).prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'presence%'").pluck().all()
    t.same(tables, [], 'the presence tables are dropped')
  }
})
