/**
 * Times people read: every page and pushed fragment that shows an instant renders it
 * through views/partials/time.eta (`<time datetime="<ISO>" data-relative>`), and none
 * prints "UTC" or a raw ISO instant where a reader sees it (only in datetime="...").
 * The same pages load their scripts by the versioned address (it.asset).
 */
import t, { type Test } from 'tap'
import { Browser, buildTestApp, connectReady, createUser, type Frame } from '../helper.js'
import { comment, createPost, subscribe } from '../blog/fixtures/blog.js'
import { befriend, sendHttp } from '../social/fixtures/social.js'
import { draftOf, seedBusiness } from '../billing/fixtures/seed.js'

const ISO_INSTANT = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/
const TIME = /<time datetime="(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)" title="[^"]+ IST" data-relative>\d{1,2} [A-Z][a-z]{2} \d{4}<\/time>/g

/** What a reader sees of some HTML: everything but the datetime attributes. */
const readable = (html: string) => html.replace(/ datetime="[^"]*"/g, '')

function checkReadable(t: Test, what: string, html: string, times: number) {
  t.notMatch(html, /UTC/, `${what}: no "UTC"`)
  t.notMatch(readable(html), ISO_INSTANT, `${what}: no ISO instant outside datetime="..."`)
  t.equal([...html.matchAll(/<time\b/g)].length, [...html.matchAll(TIME)].length, `${what}: every <time> is the partial's`)
  t.ok([...html.matchAll(TIME)].length >= times, `${what}: at least ${times} <time datetime>`)
}

t.test('the partial: ISO instant in datetime, a date and a titled time in India without script', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  // 18:45 UTC on 1 December is 00:15 IST on 2 December.
  t.equal(
    s.app.views.render('partials/time', { at: '2026-12-01T18:45:00.000Z' }),
    '<time datetime="2026-12-01T18:45:00.000Z" title="2 Dec 2026, 12:15 am IST" data-relative>2 Dec 2026</time>',
  )
  t.match(s.app.views.render('partials/time', { at: Date.parse('2026-12-01T18:45:00Z') }), 'datetime="2026-12-01T18:45:00.000Z"', 'takes ms too')
})

t.test('no page or pushed fragment prints UTC or a raw ISO instant', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app, { admin: true })
  const bob = await createUser(s.app)
  await befriend(s.app, alice, bob)
  const sent = await sendHttp(s.app, bob, { recipient_id: alice.id }, 'hello alice', 'c-1')
  const conversationId: number = sent.body.message.conversation_id
  const post = await createPost(s.app, alice, 'A post')
  await comment(s.app, bob, post.id, 'first comment')
  const seeded = await seedBusiness(s.app, alice.id)
  const invoiceId = (await s.app.billing.createInvoice(alice.id, draftOf(seeded.local.id, [{ productId: seeded.widget.id }]), { issue: true })).id
  await s.app.billing.markPaid(alice.id, invoiceId)

  const b = await new Browser(s.app).login(alice.username, alice.password)
  const pages: Array<[string, number]> = [
    ['/', 0],
    ['/notifications', 2],
    ['/blog', 1],
    [`/blog/posts/${post.id}`, 2],
    ['/messages', 1],
    [`/messages/${conversationId}`, 1],
    ['/friends', 0],
    ['/admin/live', 0],
    [`/billing/invoices/${invoiceId}`, 0],
  ]
  for (const [path, times] of pages) {
    const res = await b.get(path)
    t.equal(res.statusCode, 200, `${path}: 200`)
    checkReadable(t, path, res.body, times)
    t.notMatch(res.body, /src="\/public\//, `${path}: scripts by their versioned address`)
  }
  const invoice = await b.get(`/billing/invoices/${invoiceId}`)
  t.match(invoice.body, /<dt>Invoice date<\/dt><dd>\d{4}-\d{2}-\d{2}<\/dd>/, 'an invoice date stays a plain calendar date')

  // Pushed fragments: a notification's toast and row, a comment, a message, a conversation row.
  const a = await connectReady(url, { token: alice.token })
  t.teardown(() => a.client.close())
  await subscribe(a.client, `post:${post.id}`)
  await comment(s.app, bob, post.id, 'second comment')
  await sendHttp(s.app, bob, { conversation_id: conversationId }, 'hello again', 'c-2')
  const pushed: Array<[string, Frame]> = [
    ['notification', await a.client.next('notification')],
    ['comment_added', await a.client.next((f) => f.type === 'topic_event' && f.event === 'comment_added')],
    ['new_message', await a.client.next('new_message')],
  ]
  for (const [what, frame] of pushed) {
    t.type(frame.content, 'string', `${what} carries content`)
    checkReadable(t, `pushed ${what}`, frame.content as string, 1)
  }
  const [notification] = pushed
  t.match(notification[1].content, /class="toast[^]*<time datetime=[^]*<li id="notification-/, 'the toast and the row both show the time')
})
