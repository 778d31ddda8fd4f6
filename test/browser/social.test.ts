/**
 * Social in a real browser, two users in two contexts: a friend request is sent
 * and accepted live, they exchange messages (each appears exactly once, on both
 * sides), the typing indicator shows and hides, "Seen" appears, nobody reloads.
 */
import t from 'tap'
import { createUser } from '../helper.js'
import { befriend, sendHttp } from '../social/fixtures/social.js'
import { badgeCount, framesOf, launchBrowser, loginPage, startApp, waitForFrame } from './browser.js'

t.test('friend request, live chat with typing and read state between two browsers', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const alice = await createUser(s.app, { username: 'alice_b' })
  const bob = await createUser(s.app, { username: 'bob_b' })
  const carol = await createUser(s.app, { username: 'carol_b' })

  const a = await loginPage(browser, s, alice, { next: '/friends' })
  const b = await loginPage(browser, s, bob, { next: '/friends' })
  const c = await loginPage(browser, s, carol, { next: '/friends' })
  const dialogs: string[] = []
  for (const page of [a.page, b.page, c.page]) page.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()))

  // Alice finds bob and sends a request.
  await a.page.fill('#people-q', 'bob_')
  const addBob = a.page.locator(`#person-${bob.id} button`, { hasText: 'Add friend' })
  await addBob.click()
  await a.page.locator(`#person-${bob.id}`, { hasText: 'Request sent' }).waitFor()

  // Bob sees it live: the request in his panel and the navbar badge.
  const accept = b.page.locator('#incoming-requests button', { hasText: 'Accept' })
  await accept.waitFor()
  await b.page.waitForFunction(() => document.getElementById('friend-requests-badge')?.dataset.count === '1')
  t.equal(await badgeCount(b.page, 'friend-requests-badge'), 1, "bob's friend-request badge went up without reload")
  t.equal(await b.page.locator('#toasts .toast').count() >= 1, true, 'and a toast')
  await accept.click()
  await b.page.locator(`#friend-${alice.id}`).waitFor()
  t.equal(await badgeCount(b.page, 'friend-requests-badge'), 0, "bob's badge went back to 0")

  // Alice sees the acceptance live, with bob online.
  await a.page.locator(`#friend-${bob.id} .presence-dot.online`).waitFor()
  await waitForFrame(a.page, 'friend_accepted')
  t.pass('alice sees bob as an online friend without reload')

  // Both open the conversation (find-or-create gives the same one).
  await Promise.all([a.page.waitForURL(/\/messages\/\d+$/), a.page.click(`#friend-${bob.id} button:has-text("Message")`)])
  await Promise.all([b.page.waitForURL(/\/messages\/\d+$/), b.page.click(`#friend-${alice.id} button:has-text("Message")`)])
  t.equal(new URL(a.page.url()).pathname, new URL(b.page.url()).pathname, 'one conversation for the pair')
  const cid = Number(/\/messages\/(\d+)/.exec(a.page.url())![1])
  await waitForFrame(a.page, 'initial')
  await waitForFrame(b.page, 'initial')
  const listOf = (page: typeof a.page) => page.locator(`#conversation-${cid}-messages li.message`)

  // Alice types: bob sees the indicator; she sends: the message shows once on both sides and the indicator goes.
  await a.page.locator('#compose textarea').pressSequentially('Hi Bob <script>alert(1)</script>', { delay: 5 })
  await b.page.locator(`#typing-${cid}`, { hasText: '@alice_b is typing' }).waitFor()
  t.pass('bob sees alice typing')
  await a.page.locator('#compose button[type=submit]').click()
  await b.page.locator(`#conversation-${cid}-messages li.message .bubble`, { hasText: 'Hi Bob <script>alert(1)</script>' }).waitFor()
  await b.page.waitForFunction((cid) => !document.getElementById(`typing-${cid}`)?.textContent?.trim(), cid)
  t.pass('the indicator hides when the message arrives')
  await a.page.locator(`#conversation-${cid}-messages li.message:not(.pending)`).first().waitFor()

  // Bob replies with Enter.
  await b.page.locator('#compose textarea').fill('Hello Alice')
  await b.page.locator('#compose textarea').press('Enter')
  await a.page.locator(`#conversation-${cid}-messages li.message .bubble`, { hasText: 'Hello Alice' }).waitFor()

  // A few quick ones from alice.
  for (const text of ['one', 'two', 'three']) {
    await a.page.locator('#compose textarea').fill(text)
    await a.page.locator('#compose textarea').press('Enter')
  }
  await b.page.locator(`#conversation-${cid}-messages li.message .bubble`, { hasText: 'three' }).waitFor()
  await a.page.waitForFunction(() => document.querySelectorAll('li.message.pending').length === 0)
  await a.page.waitForTimeout(300)

  const expected = ['Hi Bob <script>alert(1)</script>', 'Hello Alice', 'one', 'two', 'three']
  for (const [who, page] of [['alice', a.page], ['bob', b.page]] as const) {
    t.same(await listOf(page).locator('.bubble').allTextContents(), expected, `${who} sees every message exactly once, in order`)
    const ids = await listOf(page).evaluateAll((els) => els.map((el) => el.id))
    t.equal(new Set(ids).size, ids.length, `${who}: no duplicate ids`)
  }
  t.same(dialogs, [], 'no script ran from a message')

  // "Seen": bob has the page open and visible, so alice's last message gets read.
  await a.page.waitForFunction((cid) => {
    const el = document.getElementById(`seen-${cid}`)
    return el && !el.hidden
  }, cid)
  t.pass('alice sees "Seen" under her last message')
  t.equal(await badgeCount(b.page, 'msg-badge'), 0, "bob's message badge stays at 0 while he reads")

  // Typing stops by itself: bob types without sending, alice sees it and then it hides (server timeout).
  await b.page.locator('#compose textarea').pressSequentially('thinking', { delay: 5 })
  await a.page.locator(`#typing-${cid}`, { hasText: '@bob_b is typing' }).waitFor()
  const shownAt = Date.now()
  await a.page.waitForFunction((cid) => !document.getElementById(`typing-${cid}`)?.textContent?.trim(), cid, { timeout: 6000 })
  t.ok(Date.now() - shownAt >= 2000, `the indicator hid after ${Date.now() - shownAt} ms without a stop from bob`)

  // Carol, not a friend and not in the conversation, got none of it.
  const carolFrames = (await framesOf(c.page)).map((f) => f.type)
  t.notOk(carolFrames.some((type) => ['new_message', 'typing', 'friend_request', 'friend_accepted', 'presence'].includes(type)), `carol got only ${carolFrames.join(',')}`)
})

t.test('the conversation page scrolls only when at the bottom and loads earlier messages in place', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  await befriend(s.app, alice, bob)
  let cid = 0
  for (let i = 1; i <= 45; i++) {
    const r = await sendHttp(s.app, alice, cid ? { conversation_id: cid } : { recipient_id: bob.id }, `line ${i}`, `seed-${i}`)
    cid = r.body.message.conversation_id
  }
  const { page } = await loginPage(browser, s, bob, { next: `/messages/${cid}` })
  const items = page.locator(`#conversation-${cid}-messages li.message`)
  t.equal(await items.count(), 30, 'the newest 30 first')
  const gap = () => page.evaluate(() => {
    const el = document.getElementById('conversation-scroll')!
    return el.scrollHeight - el.scrollTop - el.clientHeight
  })
  t.ok((await gap()) <= 40, 'opens scrolled to the newest message')

  // Reading older messages: a new one arrives without moving the page.
  await page.evaluate(() => (document.getElementById('conversation-scroll')!.scrollTop = 0))
  await page.waitForTimeout(100)
  await sendHttp(s.app, alice, { conversation_id: cid }, 'while reading', 'live-1')
  await page.locator('li.message .bubble', { hasText: 'while reading' }).waitFor()
  t.equal(await page.evaluate(() => document.getElementById('conversation-scroll')!.scrollTop), 0, 'no jump while reading older messages')

  // Load earlier keeps the message the reader was looking at in place.
  const before = await page.locator('li.message', { hasText: 'line 16' }).evaluate((el) => el.getBoundingClientRect().top)
  await page.click('#load-earlier button')
  await page.locator('li.message .bubble', { hasText: /^line 1$/ }).waitFor()
  t.equal(await items.count(), 46)
  t.equal(await page.locator('#load-earlier').count(), 0, 'no more button at the start')
  const after = await page.locator('li.message', { hasText: 'line 16' }).evaluate((el) => el.getBoundingClientRect().top)
  t.ok(Math.abs(after - before) < 5, `line 16 stayed in place (${before} -> ${after})`)

  // Back at the bottom, new messages scroll into view.
  await page.evaluate(() => {
    const el = document.getElementById('conversation-scroll')!
    el.scrollTop = el.scrollHeight
  })
  await page.waitForTimeout(100)
  await sendHttp(s.app, alice, { conversation_id: cid }, 'at the bottom', 'live-2')
  await page.locator('li.message .bubble', { hasText: 'at the bottom' }).waitFor()
  await page.waitForTimeout(50)
  t.ok((await gap()) <= 40, 'follows new messages when at the bottom')
})

t.test('the conversation list moves a conversation to the top with its unread count, live', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const carol = await createUser(s.app)
  await befriend(s.app, alice, bob)
  await befriend(s.app, carol, bob)
  const withCarol = (await sendHttp(s.app, carol, { recipient_id: bob.id }, 'older', 'l-1')).body.message.conversation_id
  const withAlice = (await sendHttp(s.app, alice, { recipient_id: bob.id }, 'newer', 'l-2')).body.message.conversation_id
  const { page } = await loginPage(browser, s, bob, { next: '/messages' })
  const rows = page.locator('#conversation-list > li')
  t.same(await rows.evaluateAll((els) => els.map((el) => el.id)), [`conversation-row-${withAlice}`, `conversation-row-${withCarol}`])

  await sendHttp(s.app, carol, { conversation_id: withCarol }, 'back on top <i>now</i>', 'l-3')
  await page.waitForFunction((id) => document.querySelector('#conversation-list > li')?.id === `conversation-row-${id}`, withCarol)
  t.same(await rows.evaluateAll((els) => els.map((el) => el.id)), [`conversation-row-${withCarol}`, `conversation-row-${withAlice}`], 'moved up, not copied')
  t.equal(await page.locator(`#conversation-row-${withCarol} .snippet`).textContent(), 'back on top <i>now</i>')
  t.equal(await page.locator(`#conversation-row-${withCarol} .badge`).getAttribute('data-count'), '2', 'two unread from carol')
  await page.waitForFunction(() => document.getElementById('msg-badge')?.dataset.count === '3')
  t.equal(await badgeCount(page, 'msg-badge'), 3, 'the navbar counts every unread message')
})
