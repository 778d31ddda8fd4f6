import t from 'tap'
import type { TopicFrame } from '../../src/protocol.js'
import { bearer, Browser, connectReady, createUser } from '../helper.js'
import { blogApp, comment, createPost, htmx, inbox, like, subscribe, users } from './fixtures/blog.js'

t.test('a comment notifies the author, reaches every viewer of the post, and nobody else', async (t) => {
  const s = await blogApp(t, { listen: true })
  const url = s.url
  const { alice, bob, carol, dave } = await users(s.app, 'alice', 'bob', 'carol', 'dave')
  const post = await createPost(s.app, alice, 'Hello')

  const a = await connectReady(url, { token: alice.token })
  const c = await connectReady(url, { token: carol.token })
  const d = await connectReady(url, { token: dave.token })
  await subscribe(c.client, `post:${post.id}`)

  const [aMark, dMark] = [a.client.mark(), d.client.mark()]
  const res = await comment(s.app, bob, post.id, 'Nice post!')
  t.equal(res.statusCode, 201)
  const cid = res.json().comment.id

  const n = await a.client.next('notification')
  t.match(n.notification, {
    kind: 'comment',
    title: 'New comment',
    message: 'bob commented on "Hello"',
    link_url: `/blog/posts/${post.id}#comment-${cid}`,
    link_text: 'View comment',
    actor: { id: bob.id, username: 'bob' },
    read: false,
  })
  t.equal(n.unread_count, 1)
  t.match(n.content, 'View comment', 'the toast fragment rides along')

  const ev = (await c.client.next('topic_event')) as TopicFrame & { content: string }
  t.equal(ev.topic, `post:${post.id}`)
  t.equal(ev.event, 'comment_added')
  t.match(ev.data, { post_id: post.id, comment: { id: cid, body: 'Nice post!', author: { username: 'bob' } }, comment_count: 1 })
  t.match(ev.content, `<li id="comment-${cid}" class="comment">`, 'the page partial')
  t.match(ev.content, `<hx-partial hx-target="#comment-list-${post.id}:not(:has(#comment-${cid}))" hx-swap="beforeend">`, 'inserted only where missing')
  t.match(ev.content, `id="comment-count-${post.id}"`)
  t.notMatch(ev.content, '/delete', 'carol gets no delete button for bob\'s comment')

  t.same(await d.client.since(dMark, 200), [], 'dave (not viewing, not the author) got nothing')
  t.same(await a.client.since(aMark, 50, 'topic_event'), [], 'alice is not viewing the post, so no thread events')
  t.same((await inbox(s.app, carol)).notifications, [], 'carol has no notification')
  t.same((await inbox(s.app, bob)).notifications, [], 'bob has no notification')

  // The author's own comment on her own post: thread event, no notification.
  await subscribe(a.client, `post:${post.id}`)
  const ownComment = a.client.mark()
  t.equal((await comment(s.app, alice, post.id, 'Thanks')).statusCode, 201)
  t.equal((await a.client.next('topic_event')).event, 'comment_added')
  t.same(await a.client.since(ownComment, 150, 'notification'), [], 'no notification for your own comment')
  t.equal((await inbox(s.app, alice)).unread_count, 1)
  for (const x of [a, c, d]) await x.client.close()
})

t.test('the htmx comment form: no reload, idempotent fragment, 422 next to the field, delete own', async (t) => {
  const s = await blogApp(t, { listen: true })
  const url = s.url
  const { alice, bob, carol } = await users(s.app, 'alice', 'bob', 'carol')
  const post = await createPost(s.app, alice, 'Thread')
  const browser = await new Browser(s.app).login(bob.username, bob.password)
  await browser.get(`/blog/posts/${post.id}`)
  const a = await connectReady(url, { token: alice.token })
  const c = await connectReady(url, { token: carol.token })
  await subscribe(c.client, `post:${post.id}`)

  const empty = await browser.post(`/blog/posts/${post.id}/comments`, { body: '   ' }, htmx)
  t.equal(empty.statusCode, 422)
  t.match(empty.body, `id="comment-form-${post.id}"`)
  t.match(empty.body, 'Write a comment first.')
  t.notMatch(empty.body, '<html', 'just the form')

  const res = await browser.post(`/blog/posts/${post.id}/comments`, { body: 'First!' }, htmx)
  t.equal(res.statusCode, 200)
  const cid = (await a.client.next('notification')).notification.link_url.split('#comment-')[1]
  t.match(res.body, new RegExp(`<form id="comment-form-${post.id}"[\\s\\S]*></textarea>`), 'a cleared form')
  t.match(res.body, `hx-target="#comment-list-${post.id}:not(:has(#comment-${cid}))"`, 'the same guarded insert the viewers get')
  t.match(res.body, `/blog/comments/${cid}/delete`, 'bob may delete his own comment')
  t.match(res.body, '1 comment<')

  const page = await browser.get(`/blog/posts/${post.id}`)
  t.match(page.body, `<li id="comment-${cid}" class="comment">`, 'anchor #comment-<id> on the page')

  // someone else cannot delete it
  const carolBrowser = await new Browser(s.app).login(carol.username, carol.password)
  await carolBrowser.get(`/blog/posts/${post.id}`)
  t.equal((await carolBrowser.post(`/blog/comments/${cid}/delete`, {}, htmx)).statusCode, 403)
  t.equal((await s.app.inject({ method: 'DELETE', url: `/api/blog/comments/${cid}`, headers: bearer(carol) })).statusCode, 403)

  await c.client.next((f) => f.type === 'topic_event' && f.event === 'comment_added')
  const del = await browser.post(`/blog/comments/${cid}/delete`, {}, htmx)
  t.equal(del.statusCode, 200)
  t.match(del.body, `<li id="comment-${cid}" hx-swap-oob="delete">`)
  t.match(del.body, '0 comments')
  const gone = await c.client.next('topic_event')
  t.equal(gone.event, 'comment_deleted')
  t.same(gone.data, { post_id: post.id, comment_id: Number(cid), comment_count: 0 })
  t.match(gone.content, `<li id="comment-${cid}" hx-swap-oob="delete">`)

  // its notification went with it, and alice's badge was told
  const counts = await a.client.next('count_update')
  t.equal(counts.unread_count, 0)
  t.same((await inbox(s.app, alice)).notifications, [])
  for (const x of [a, c]) await x.client.close()
})

t.test('likes: one per user, the count at once, grouped notifications, unlike sends nothing', async (t) => {
  const s = await blogApp(t, { listen: true })
  const url = s.url
  const { alice, bob, carol, dave, eve } = await users(s.app, 'alice', 'bob', 'carol', 'dave', 'eve')
  const post = await createPost(s.app, alice, 'Hello')
  const a = await connectReady(url, { token: alice.token })
  const e = await connectReady(url, { token: eve.token })
  await subscribe(e.client, `post:${post.id}`)

  // bob likes through the page's htmx button
  const browser = await new Browser(s.app).login(bob.username, bob.password)
  await browser.get(`/blog/posts/${post.id}`)
  const liked = await browser.post(`/blog/posts/${post.id}/like`, { action: 'like' }, htmx)
  t.equal(liked.statusCode, 200)
  t.match(liked.body, `id="like-${post.id}"`)
  t.match(liked.body, 'aria-pressed="true"')
  t.match(liked.body, '1 like<')
  t.match(liked.body, 'name="action" value="unlike"')
  const again = await browser.post(`/blog/posts/${post.id}/like`, { action: 'like' }, htmx)
  t.match(again.body, '1 like<', 'liking twice is one like')

  const first = await a.client.next('notification')
  t.match(first.notification, { kind: 'like', message: 'bob liked "Hello"', link_url: `/blog/posts/${post.id}`, actor: { username: 'bob' } })
  t.equal(first.unread_count, 1)
  const countEv = await e.client.next('topic_event')
  t.same(countEv.data, { post_id: post.id, like_count: 1 })
  t.match(countEv.content, `<span id="like-count-${post.id}" class="like-count" data-count="1" hx-swap-oob="true">1 like</span>`)

  // more likes while it is unread: the same notification, rewritten and pushed again
  await like(s.app, carol, post.id)
  const second = await a.client.next('notification')
  t.equal(second.notification.id, first.notification.id, 'same id')
  t.equal(second.notification.message, 'carol and 1 other liked "Hello"')
  t.equal(second.notification.title, 'New likes')
  t.equal(second.unread_count, 1, 'the unread count does not change on an update')
  await like(s.app, dave, post.id)
  const third = await a.client.next('notification')
  t.equal(third.notification.id, first.notification.id)
  t.equal(third.notification.message, 'dave and 2 others liked "Hello"')

  // unlike: the live count changes, the author gets nothing
  const beforeUnlike = a.client.mark()
  const off = await like(s.app, carol, post.id, false)
  t.same(off.json(), { liked: false, like_count: 2 })
  t.same(await a.client.since(beforeUnlike, 200), [], 'unliking sends nothing to the author')
  // the author's own like: nothing either
  const beforeOwnLike = a.client.mark()
  await like(s.app, alice, post.id)
  t.same(await a.client.since(beforeOwnLike, 150, 'notification'), [], 'no notification for liking your own post')

  const list = await inbox(s.app, alice)
  t.equal(list.notifications.length, 1)
  t.equal(list.notifications[0].message, 'dave and 2 others liked "Hello"')

  // once read, the next like opens a new notification
  a.client.send({ type: 'mark_read', id: first.notification.id })
  t.equal((await a.client.next('count_update')).unread_count, 0)
  await like(s.app, carol, post.id)
  const fresh = await a.client.next('notification')
  t.not(fresh.notification.id, first.notification.id)
  t.equal(fresh.notification.message, 'carol liked "Hello"')
  t.equal(fresh.unread_count, 1)

  await e.client.settle(100)
  t.ok(e.client.ofType('topic_event').every((f) => f.event === 'like_count'), 'viewers see like counts')
  t.same((await inbox(s.app, eve)).notifications, [], 'eve (a viewer) got no notification')
  t.same((await inbox(s.app, bob)).notifications, [], 'bob got no notification')
  for (const x of [a, e]) await x.client.close()
})

t.test('ten likes at once give one notification reading "... and 9 others"', async (t) => {
  const s = await blogApp(t, { listen: true })
  const url = s.url
  const { alice, bystander } = await users(s.app, 'alice', 'bystander')
  const post = await createPost(s.app, alice, 'Burst')
  const others = await Promise.all(Array.from({ length: 10 }, () => createUser(s.app)))
  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bystander.token })

  const bMark = b.client.mark()
  const results = await Promise.all(others.map((u) => like(s.app, u, post.id)))
  t.ok(results.every((r) => r.statusCode === 200))
  t.same(results.map((r) => r.json().like_count).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

  const list = await inbox(s.app, alice)
  t.equal(list.notifications.length, 1, 'one notification')
  t.equal(list.unread_count, 1)
  t.match(list.notifications[0].message, /^\S+ and 9 others liked "Burst"$/)

  // Every push, once none has come for 150 ms.
  await a.client.next('notification')
  for (let seen = 0; seen !== a.client.ofType('notification').length; ) {
    seen = a.client.ofType('notification').length
    await a.client.settle(150)
  }
  const frames = a.client.ofType('notification')
  t.equal(new Set(frames.map((f) => f.notification.id)).size, 1, 'every push names the same notification')
  t.ok(frames.every((f) => f.unread_count === 1))
  t.match(frames.at(-1)!.notification.message, / and 9 others liked "Burst"$/, 'the last push has the final text')
  t.same(await b.client.since(bMark, 50), [], 'a bystander got nothing')
  for (const x of [a, b]) await x.client.close()
})

t.test('since= replay and the snapshot after grouping', async (t) => {
  const s = await blogApp(t, { listen: true })
  const url = s.url
  const { alice, bob, carol } = await users(s.app, 'alice', 'bob', 'carol')
  const post = await createPost(s.app, alice, 'Hello')
  await like(s.app, bob, post.id)
  const id = (await inbox(s.app, alice)).notifications[0].id
  await like(s.app, carol, post.id)

  // A client that had not seen it replays it with the current text.
  const before = await connectReady(url, { token: alice.token, query: { since: String(id - 1) } })
  t.equal(before.initial.last_id, id)
  t.equal(before.initial.unread_count, 1)
  t.equal(before.initial.recent_notifications[0].message, 'carol and 1 other liked "Hello"')
  const replayed = await before.client.next('notification')
  t.equal(replayed.notification.id, id)
  t.equal(replayed.notification.message, 'carol and 1 other liked "Hello"')

  // A client that had seen the id gets no replay (the row kept its id), but the snapshot has the new text.
  const after = await connectReady(url, { token: alice.token, query: { since: String(id) } })
  t.equal(after.initial.recent_notifications[0].message, 'carol and 1 other liked "Hello"')
  // From mark 0: everything since this socket opened.
  t.same(await after.client.since(0, 150, 'notification'), [], 'no replay of a seen id')
  for (const x of [before, after]) await x.client.close()
})

t.test('deleting a post takes its notifications with it and updates the badges', async (t) => {
  const s = await blogApp(t, { listen: true })
  const url = s.url
  const { alice, bob, carol } = await users(s.app, 'alice', 'bob', 'carol')
  const doomed = await createPost(s.app, alice, 'Doomed')
  const kept = await createPost(s.app, alice, 'Kept')
  const bobsPost = await createPost(s.app, bob, 'Bob\'s')
  await comment(s.app, bob, doomed.id, 'one')
  await comment(s.app, carol, doomed.id, 'two')
  await like(s.app, bob, doomed.id)
  await like(s.app, carol, doomed.id)
  await comment(s.app, bob, kept.id, 'stays')
  await comment(s.app, alice, bobsPost.id, 'for bob')
  t.equal((await inbox(s.app, alice)).unread_count, 4)

  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const c = await connectReady(url, { token: carol.token })
  await subscribe(c.client, `post:${doomed.id}`)

  const [bMark, cMark] = [b.client.mark(), c.client.mark()]
  const res = await s.app.inject({ method: 'DELETE', url: `/api/blog/posts/${doomed.id}`, headers: bearer(alice) })
  t.equal(res.statusCode, 200)
  const counts = await a.client.next('count_update')
  t.equal(counts.unread_count, 1, 'the badge drops to the one left')
  const left = await inbox(s.app, alice)
  t.equal(left.notifications.length, 1)
  t.equal(left.notifications[0].message.includes('"Kept"'), true)
  const gone = await c.client.next('topic_event')
  t.equal(gone.event, 'post_deleted')
  t.match(gone.content, `id="post-page-${doomed.id}"`)
  t.same(await b.client.since(bMark, 150), [], 'bob got nothing')
  t.same(await c.client.since(cMark, 0, 'count_update'), [], 'carol got no count update')
  t.equal((await inbox(s.app, bob)).unread_count, 1, 'bob keeps his notification about another post')
  for (const x of [a, b, c]) await x.client.close()
})

t.test('who may follow which topic', async (t) => {
  const s = await blogApp(t, { listen: true })
  const url = s.url
  const { alice } = await users(s.app, 'alice')
  const post = await createPost(s.app, alice)
  const { client } = await connectReady(url, { token: alice.token })
  for (const topic of ['post:999999', 'post:abc', 'post:', `post:0${post.id}`]) {
    client.send({ type: 'subscribe', topic })
    const err = await client.next('error')
    t.equal(err.code, 'forbidden', topic)
  }
  await subscribe(client, `post:${post.id}`)
  t.same(client.ofType('error').length, 4, 'the real post is allowed')
  await client.close()
})

t.test('an edit reaches the post\'s viewers, rendered for each (only the author sees Edit)', async (t) => {
  const s = await blogApp(t, { listen: true })
  const url = s.url
  const { alice, bob, carol } = await users(s.app, 'alice', 'bob', 'carol')
  const post = await createPost(s.app, alice, 'Draft', 'old')
  const a = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const c = await connectReady(url, { token: carol.token })
  await subscribe(a.client, `post:${post.id}`)
  await subscribe(b.client, `post:${post.id}`)

  const [aMark, cMark] = [a.client.mark(), c.client.mark()]
  const res = await s.app.inject({
    method: 'PATCH',
    url: `/api/blog/posts/${post.id}`,
    headers: bearer(alice),
    payload: { title: 'Final <i>title</i>', body: 'new **body** <script>x</script>' },
  })
  t.equal(res.statusCode, 200)
  const forBob = await b.client.next('topic_event')
  t.equal(forBob.event, 'post_updated')
  t.match(forBob.data.post, { id: post.id, title: 'Final <i>title</i>', body: 'new **body** <script>x</script>' })
  t.match(forBob.content, `<article id="post-${post.id}" class="card post" hx-swap-oob="true">`)
  t.match(forBob.content, 'Final &lt;i&gt;title&lt;/i&gt;')
  t.match(forBob.content, '<strong>body</strong> &lt;script&gt;x&lt;/script&gt;')
  t.notMatch(forBob.content, '/edit', 'bob gets no Edit link')
  const forAlice = await a.client.next('topic_event')
  t.match(forAlice.content, `/blog/posts/${post.id}/edit`, 'alice (the author) does')
  t.same(await c.client.since(cMark, 150), [], 'carol, not viewing, got nothing')
  t.same(await a.client.since(aMark, 0, 'notification'), [], 'an edit notifies nobody')
  for (const x of [a, b, c]) await x.client.close()
})

t.test('the like button: a bare POST toggles, `action` is idempotent, a plain form gets a redirect', async (t) => {
  const s = await blogApp(t)
  const { alice, bob } = await users(s.app, 'alice', 'bob')
  const post = await createPost(s.app, alice)
  const headers = { ...bearer(bob), 'hx-request': 'true' }
  const post1 = await s.app.inject({ method: 'POST', url: `/blog/posts/${post.id}/like`, headers })
  t.equal(post1.statusCode, 200)
  t.match(post1.body, 'aria-pressed="true"')
  const post2 = await s.app.inject({ method: 'POST', url: `/blog/posts/${post.id}/like`, headers })
  t.match(post2.body, 'aria-pressed="false"')
  t.match(post2.body, '0 likes')
  const unlikeAgain = await s.app.inject({ method: 'POST', url: `/blog/posts/${post.id}/like`, headers, payload: { action: 'unlike' } })
  t.match(unlikeAgain.body, 'aria-pressed="false"', 'unlike when not liked stays unliked')
  const bad = await s.app.inject({ method: 'POST', url: `/blog/posts/${post.id}/like`, headers: { ...headers, accept: 'application/json' }, payload: { action: 'love' } })
  t.equal(bad.statusCode, 400)
  const browser = await new Browser(s.app).login(bob.username, bob.password)
  await browser.get(`/blog/posts/${post.id}`)
  const plain = await browser.post(`/blog/posts/${post.id}/like`, { action: 'like' })
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, `/blog/posts/${post.id}`)
  t.equal((await s.app.inject({ method: 'GET', url: `/api/blog/posts/${post.id}`, headers: bearer(bob) })).json().liked, true)
  t.equal((await s.app.inject({ method: 'POST', url: '/blog/posts/999999/like', headers })).statusCode, 404)
})
