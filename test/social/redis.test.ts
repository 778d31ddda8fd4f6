/**
 * Social across two app instances that share one SQLite file and talk through
 * Redis (as two processes would): messages, typing and presence cross instances;
 * a client_id sent to both at once is stored once. Skipped with a message when
 * Redis is not at 127.0.0.1:6379 (TEST_REDIS_URL).
 */
import { sql } from 'drizzle-orm'
import t from 'tap'
import { Redis } from 'ioredis'
import { connectReady, createUser, sqlValue } from '../helper.js'
import { redisInstances, redisProblem, REDIS_URL, until } from '../scale/fixtures/servers.js'
import { befriend, sendHttp } from './fixtures/social.js'

const problem = await redisProblem()
if (problem) {
  t.skip(`Redis not reachable at ${REDIS_URL}: ${problem}`, () => {})
} else {
  t.test('messages, typing and presence cross instances through Redis', async (t) => {
    const { instance: start, prefix } = redisInstances(t, 'social')
    const instance = async () => {
      const s = await start()
      s.app.social.presence.graceMs = 150
      return s
    }
    const A = await instance()
    const B = await instance()
    const redis = new Redis(REDIS_URL)
    t.teardown(() => redis.quit())
    const subscribed = (userId: number) =>
      until(`user ${userId} subscribed`, async () => {
        const n = (await redis.pubsub('NUMSUB', `${prefix}user:${userId}`)) as Array<string | number>
        return Number(n[1]) >= 1
      })

    const alice = await createUser(A.app)
    const bob = await createUser(A.app)
    const carol = await createUser(A.app)
    await befriend(A.app, alice, bob)
    await befriend(A.app, alice, carol)
    const cid = (await sendHttp(A.app, alice, { recipient_id: bob.id }, 'hello', 'r-0')).body.message.conversation_id

    // bob and carol on B; alice on A.
    const b = await connectReady(B.url, { token: bob.token })
    const c = await connectReady(B.url, { token: carol.token })
    await subscribed(bob.id)
    await subscribed(carol.id)
    const a = await connectReady(A.url, { token: alice.token })
    await subscribed(alice.id)
    t.match(await b.client.next('presence'), { user_id: alice.id, online: true }, 'bob on B sees alice come online on A')
    t.match(await c.client.next('presence'), { user_id: alice.id, online: true })

    a.client.send({ type: 'typing', conversation_id: cid, is_typing: true })
    t.match(await b.client.next('typing'), { user: { id: alice.id }, is_typing: true }, 'typing crosses')
    a.client.send({ type: 'send_message', conversation_id: cid, client_id: 'r-1', content: 'across' })
    const m = await b.client.next('new_message')
    t.equal(m.data.content, 'across')
    t.match(await b.client.next('typing'), { is_typing: false }, 'sending stops the indicator on the other instance')
    t.equal((await b.client.next('count_update')).unread_messages_count, 2)

    // One client_id sent to both instances at the same moment: stored once.
    a.client.send({ type: 'send_message', conversation_id: cid, client_id: 'r-2', content: 'twice' })
    const http = await sendHttp(B.app, alice, { conversation_id: cid }, 'twice', 'r-2')
    t.ok([200, 201].includes(http.status))
    const pushed = await b.client.next((f) => f.type === 'new_message' && f.data.client_id === 'r-2')
    t.equal(pushed.data.id, http.body.message.id)
    await b.client.settle(300)
    t.equal(b.client.ofType('new_message').filter((f) => f.data.client_id === 'r-2').length, 1, 'bob got it once')
    t.equal(a.client.ofType('new_message').filter((f) => f.data.client_id === 'r-2').length, 1, "alice's sending socket got it once")
    t.equal(await sqlValue(A.app, sql`SELECT count(*) FROM messages WHERE client_id = 'r-2'`), 1)

    // Presence: a second socket on B, then the one on A closes: still online.
    const a2 = await connectReady(B.url, { token: alice.token })
    const bMark = b.client.mark()
    await a.client.close()
    t.same(await b.client.since(bMark, 500, 'presence'), [], 'alice stays online through her socket on B')
    await a2.client.close()
    t.match(await b.client.next('presence', 3000), { user_id: alice.id, online: false })
    t.same(c.client.ofType('typing').concat(c.client.ofType('new_message')), [], 'carol (not in the conversation) got no typing or messages')
    await b.client.close()
    await c.client.close()
  })
}
