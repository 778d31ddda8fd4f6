/**
 * Redis goes away under two server processes: the rate limit and the socket cap
 * fall back to each process's own count and presence to each process's own view,
 * with one warn log per process; nothing crashes. When Redis is back (empty: a
 * restart) they are shared again. A private redis-server on port 6391 (never the
 * machine's 6379), stopped and started by the test.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { connectReady, type TestUser } from '../helper.js'
import { befriend } from '../social/fixtures/social.js'
import { get, redisProblem, sharedSite, sleep, startPrivateRedis, startServers, until, type ServerProcess } from './fixtures/servers.js'
import { refusal, tokenAttempt } from './fixtures/shared-state.js'

t.setTimeout(400_000)

const PORT = 6391
let haveRedisServer = true
try {
  execFileSync('redis-server', ['--version'], { stdio: 'ignore' })
} catch {
  haveRedisServer = false
}
const busy = haveRedisServer && (await redisProblem(`redis://127.0.0.1:${PORT}`)) === null

if (!haveRedisServer) {
  t.skip('redis-server is not installed: cannot stop and start a private Redis', () => {})
} else if (busy) {
  t.skip(`something already answers on port ${PORT}: not stopping a Redis this test did not start`, () => {})
} else {
  t.test('without Redis the limits are per process and nothing crashes; with it back they are shared again', async (t) => {
    let redis = await startPrivateRedis(PORT)
    t.teardown(() => redis.stop())
    const { site, local, users } = await sharedSite(t, { redisUrl: redis.url, users: 2 })
    const [alice, bob] = users as [TestUser, TestUser]
    await befriend(local.app, alice, bob)
    const env = {
      ...site.env,
      AUTH_RATE_LIMIT_PER_MINUTE: '3',
      WS_MAX_CONNECTIONS_PER_USER: '2',
      PROCESS_HEARTBEAT_MS: '200',
      PROCESS_TTL_MS: '1000',
      PRESENCE_GRACE_MS: '100',
    }
    const [A, B] = (await startServers(t, env, 2)) as [ServerProcess, ServerProcess]
    const outageWarnings = (s: ServerProcess) => s.lines.filter((l) => /"level":40/.test(l) && /the socket cap count this process only/.test(l)).length
    const backInfos = (s: ServerProcess) => s.lines.filter((l) => /Redis back: presence, rate limits and the socket cap are shared again/.test(l)).length

    await redis.stop()
    await until('both processes noticed', () => outageWarnings(A) >= 1 && outageWarnings(B) >= 1)

    // Rate limit: each process counts alone now (3 each), and neither fails the request.
    const onA = [await tokenAttempt(A, alice.username), await tokenAttempt(A, alice.username), await tokenAttempt(A, alice.username)]
    t.same(onA, [401, 401, 401], 'A answers its own three')
    t.equal(await tokenAttempt(A, alice.username), 429, "A's fourth is refused by A's own count")
    t.same([await tokenAttempt(B, alice.username), await tokenAttempt(B, alice.username)], [401, 401], 'B counts its own')

    // Presence and the socket cap from each process's own view.
    const b = await connectReady(A.url, { token: bob.token })
    const bMark = b.client.mark()
    const a1 = await connectReady(A.url, { token: alice.token })
    const friends = async () => (await (await fetch(`${A.url}/api/friends`, { headers: { authorization: `Bearer ${bob.token}` } })).json()).friends
    await until('A counts alice online', async () => (await friends())[0].online === true)
    t.pass("bob's friends list on A shows alice online (A's own view)")
    const a2 = await connectReady(A.url, { token: alice.token })
    t.equal(await refusal(A.url, alice.token), 4429, "A's own cap holds")
    t.equal((await get(`${B.url}/healthz`)).status, 200, 'B serves')

    redis = await startPrivateRedis(PORT)
    await until('both processes are back', () => backInfos(A) >= 1 && backInfos(B) >= 1, 15000)
    await sleep(600) // a few heartbeats: A writes its counts and its users back into the empty Redis

    // What changed while Redis was away is told once it is back (the bus could not carry it meanwhile).
    t.match(await b.client.next('presence', 5000), { user_id: alice.id, online: true }, 'bob sees alice online')
    t.equal(await refusal(B.url, alice.token), 4429, "shared again: alice's two sockets on A count on B")
    const shared = [await tokenAttempt(A, bob.username), await tokenAttempt(B, bob.username), await tokenAttempt(A, bob.username)]
    t.same(shared, [401, 401, 401], 'three attempts across both')
    t.equal(await tokenAttempt(B, bob.username), 429, 'the fourth is refused: the limit is shared again')

    await a1.client.close()
    await a2.client.close()
    const off = await b.client.next((f) => f.type === 'presence' && f.online === false, 3000)
    t.match(off, { user_id: alice.id }, 'alice goes offline when her sockets close')
    t.same(
      (await b.client.since(bMark, 400, 'presence')).map((f) => f.online),
      [true, false],
      'one online, one offline: the outage and the recovery announced nothing twice',
    )

    t.equal(A.child.exitCode, null, 'A is still running')
    t.equal(B.child.exitCode, null, 'B is still running')
    for (const s of [A, B]) {
      t.equal(outageWarnings(s), 1, 'one warn log for the outage')
      t.same(s.lines.filter((l) => /unhandled|"level":50/i.test(l)), [], 'no error logs, no unhandled rejection')
    }
    await b.client.close()
  })
}
