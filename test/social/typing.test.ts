import t from 'tap'
import { marks, openSockets, sendHttp, socialSite, type Teardown } from './fixtures/social.js'

async function setup(t: Teardown) {
  const { s, url, alice, bob, carol } = await socialSite(t, { friends: true })
  const cid = (await sendHttp(s.app, alice, { recipient_id: bob.id }, 'hi', 'setup-1')).body.message.conversation_id as number
  const [a1, a2, b, c] = await openSockets(t, url, alice, alice, bob, carol)
  return { s, alice, bob, carol, cid, a1, a2, b, c }
}

t.test('typing goes to the other participant only and stops by itself after 3 s (the default)', async (t) => {
  const { s, alice, cid, a1, a2, b, c } = await setup(t)
  t.equal(s.app.social.typing.timeoutMs, 3000, 'the default timeout')
  const [a1Mark, a2Mark, cMark] = marks(a1, a2, c)
  const started = Date.now()
  a1.client.send({ type: 'typing', conversation_id: cid, is_typing: true })
  const on = await b.client.next('typing')
  t.match(on, { type: 'typing', conversation_id: cid, user: { id: alice.id, username: alice.username }, is_typing: true })
  t.match(on.content, new RegExp(`<p id="typing-${cid}"[^>]*hx-swap-oob="true">.*@${alice.username} is typing`, 's'))
  const off = await b.client.next('typing', 5000)
  const elapsed = Date.now() - started
  t.equal(off.is_typing, false)
  t.ok(elapsed >= 2900 && elapsed < 3800, `is_typing: false came after ${elapsed} ms`)
  t.notMatch(off.content, /is typing/)
  t.same(await c.client.since(cMark, 100), [], 'carol (not in the conversation) got nothing')
  t.same(await a2.client.since(a2Mark, 0), [], "the typist's other tab got nothing")
  t.same(await a1.client.since(a1Mark, 0), [], 'the typist got nothing (no error either)')
})

t.test('typing frames are rate limited, stop explicitly, and stop when the message is sent', async (t) => {
  const { s, alice, cid, a1, b, c } = await setup(t)
  s.app.social.typing.timeoutMs = 400
  const [cMark] = marks(c)

  const bBurst = b.client.mark()
  for (let i = 0; i < 10; i++) a1.client.send({ type: 'typing', conversation_id: cid, is_typing: true })
  const relayed = (await b.client.since(bBurst, 250, 'typing', 3)).filter((f) => f.is_typing)
  t.equal(relayed.length, 3, 'at most 3 typing frames per second per socket are relayed')
  t.same(a1.client.ofType('error'), [], 'the excess is dropped silently')

  a1.client.send({ type: 'typing', conversation_id: cid, is_typing: false })
  t.equal((await b.client.next((f) => f.type === 'typing' && !f.is_typing)).user.id, alice.id, 'an explicit stop is relayed')
  const [bMark] = marks(b)
  a1.client.send({ type: 'typing', conversation_id: cid, is_typing: false })
  t.same(await b.client.since(bMark, 600, 'typing'), [], 'a stop while not typing is not relayed, and the timer was cancelled')

  // Sending the message ends the indicator at once (long before the timeout).
  s.app.social.typing.timeoutMs = 10_000
  await b.client.settle(1000) // a fresh rate window
  a1.client.send({ type: 'typing', conversation_id: cid, is_typing: true })
  await b.client.next((f) => f.type === 'typing' && f.is_typing)
  a1.client.send({ type: 'send_message', conversation_id: cid, client_id: 'after-typing', content: 'done typing' })
  const m = await b.client.next('new_message')
  t.match(m.content, new RegExp(`<p id="typing-${cid}" class="typing-indicator" aria-live="polite" hx-swap-oob="true"></p>`), 'the message clears the indicator')
  const stop = await b.client.next((f) => f.type === 'typing' && !f.is_typing, 1000)
  t.equal(stop.user.id, alice.id)
  t.same(await c.client.since(cMark, 100), [], 'carol got nothing')
})
