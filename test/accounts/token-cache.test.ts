/** Verified tokens are remembered, and a logout still refuses the token at once, on every process. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { TokenCache } from '../../src/domains/accounts/token-cache.js'
import type { TokenClaims } from '../../src/domains/accounts/service.js'
import { createLocalBus, type BusHandler } from '../../src/realtime/bus.js'
import { bearer, buildTestApp, createUser } from '../helper.js'

t.test('the cache: successes kept until expiry, ttl or eviction; refusals never kept', async (t) => {
  const clock = { now: 1_000_000 }
  const checked: string[] = []
  const signed: Record<string, TokenClaims> = {
    a: { sub: 1, sid: 's1', exp: 1_000 + 600 },
    b: { sub: 2, sid: 's2', exp: 1_000 + 600 },
    c: { sub: 3, sid: 's3', exp: 1_000 + 600 },
    soon: { sub: 4, sid: 's4', exp: 1_000 + 5 },
  }
  const cache = new TokenCache({ max: 2, ttlMs: 60_000, now: () => clock.now })
  const verify = cache.wrap((token) => {
    checked.push(token)
    return signed[token] ?? null
  })

  t.same(verify('a'), signed.a)
  t.same(verify('a'), signed.a)
  t.same(checked, ['a'], 'a second use is not verified again')
  t.equal(verify('forged'), null)
  t.equal(verify('forged'), null)
  t.same(checked, ['a', 'forged', 'forged'], 'a refused token is checked every time')

  verify('b')
  verify('c')
  t.equal(cache.size, 2, 'bounded')
  checked.length = 0
  verify('a')
  t.same(checked, ['a'], 'the oldest went first')

  verify('soon')
  clock.now += 5_000
  checked.length = 0
  verify('soon')
  t.same(checked, ['soon'], 'not trusted past the token expiry')
  clock.now += 60_000
  verify('soon')
  t.same(checked, ['soon', 'soon'], 'an expired token is not kept')

  clock.now = 1_000_000
  const fresh = new TokenCache({ ttlMs: 60_000, now: () => clock.now })
  const again: string[] = []
  const v2 = fresh.wrap((token) => (again.push(token), signed[token] ?? null))
  v2('a')
  clock.now += 60_001
  v2('a')
  t.same(again, ['a', 'a'], 'verified again after the ttl')
  v2('b')
  fresh.forgetSession('s2')
  v2('b')
  t.same(again, ['a', 'a', 'b', 'b'], 'a revoked session is forgotten')
})

t.test('a logged-out token is refused on the very next request, in this process and another', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'token-cache-'))
  const databasePath = join(dir, 'app.db')
  const group = new Set<BusHandler>()
  const p1 = await buildTestApp({ databasePath }, { bus: createLocalBus(group) })
  const p2 = await buildTestApp({ databasePath }, { bus: createLocalBus(group) })
  t.teardown(async () => {
    await p1.close()
    await p2.close()
    rmSync(dir, { recursive: true, force: true })
  })
  const alice = await createUser(p1.app)
  const me = (s: typeof p1) => s.app.inject({ method: 'GET', url: '/api/me', headers: bearer(alice) })
  for (const s of [p1, p2, p1, p2]) t.equal((await me(s)).statusCode, 200, 'served (and remembered)')

  const out = await p1.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(alice) })
  t.equal(out.statusCode, 200)
  t.equal((await me(p1)).statusCode, 401, 'refused where it logged out')
  t.equal((await me(p2)).statusCode, 401, 'refused by the other process')

  // The same holds when the revocation is not even published yet: the session check decides.
  const bob = await createUser(p1.app)
  const bobMe = () => p2.app.inject({ method: 'GET', url: '/api/me', headers: bearer(bob) })
  t.equal((await bobMe()).statusCode, 200)
  const { sessionId } = (await p1.app.accounts.resolveToken(bob.token))!
  const publish = p1.app.bus.publish
  p1.app.bus.publish = () => {}
  t.teardown(() => (p1.app.bus.publish = publish))
  await p1.app.accounts.logout(sessionId)
  t.equal((await bobMe()).statusCode, 401, 'refused before any event reached the process')
})
