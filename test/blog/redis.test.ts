/**
 * The blog across two app instances that share one SQLite file and talk through
 * Redis (as two processes would): a post's viewers and its author get what happens
 * on the other instance. Skipped with a message when Redis is not at 127.0.0.1:6379.
 */
import t from 'tap'
import { Redis } from 'ioredis'
import { connectReady } from '../helper.js'
import { redisInstances, redisProblem, REDIS_URL, until } from '../scale/fixtures/servers.js'
import { comment, createPost, like, subscribe, users } from './fixtures/blog.js'

const problem = await redisProblem()
if (problem) {
  t.skip(`Redis not reachable at ${REDIS_URL}: ${problem}`, () => {})
} else {
  t.test('comments, likes and thread events cross instances through Redis', async (t) => {
    const { instance, prefix } = redisInstances(t, 'blog')
    const A = await instance()
    const B = await instance()
    const redis = new Redis(REDIS_URL)
    t.teardown(() => redis.quit())

    const { alice, bob, carol, dave } = await users(A.app, 'alice', 'bob', 'carol', 'dave')
    const post = await createPost(A.app, alice, 'Across')

    // alice (author) and carol (viewer) are on B; dave is on B but elsewhere.
    const a = await connectReady(B.url, { token: alice.token })
    const c = await connectReady(B.url, { token: carol.token })
    const d = await connectReady(B.url, { token: dave.token })
    await subscribe(c.client, `post:${post.id}`)
    await until('B subscribed in Redis', async () => {
      const n = (await redis.pubsub('NUMSUB', `${prefix}user:${alice.id}`, `${prefix}topic:post:${post.id}`)) as Array<string | number>
      return Number(n[1]) >= 1 && Number(n[3]) >= 1
    })

    // bob comments through A
    const dMark = d.client.mark()
    const res = await comment(A.app, bob, post.id, 'from A')
    t.equal(res.statusCode, 201)
    const cid = res.json().comment.id
    const n = await a.client.next('notification')
    t.equal(n.notification.link_url, `/blog/posts/${post.id}#comment-${cid}`)
    const ev = await c.client.next('topic_event')
    t.equal(ev.event, 'comment_added')
    t.match(ev.content, `<li id="comment-${cid}" class="comment">`)

    // likes through A then B: one notification, rewritten, same id
    await like(A.app, bob, post.id)
    const l1 = await a.client.next((f) => f.type === 'notification' && f.notification.kind === 'like')
    await like(B.app, carol, post.id)
    const l2 = await a.client.next((f) => f.type === 'notification' && f.notification.kind === 'like')
    t.equal(l2.notification.id, l1.notification.id)
    t.equal(l2.notification.message, 'carol and 1 other liked "Across"')
    t.equal(l2.unread_count, 2)
    t.equal((await c.client.next((f) => f.type === 'topic_event' && f.event === 'like_count' && (f.data as { like_count: number }).like_count === 2)).data.post_id, post.id)

    t.same(await d.client.since(dMark, 200), [], 'dave got nothing')
    for (const x of [a, c, d]) await x.client.close()
  })
}
