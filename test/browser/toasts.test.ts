/**
 * Toasts and live state as a user meets them, at 1280x800 and 390x844:
 * a burst of ten (three shown, "+7 more", one live region reading each out once,
 * paused while pointed at or focused, Escape, a duration the user picks), three tabs
 * of one user (one shows toasts and desktop notifications; closing it hands over),
 * empty states that stay true while rows arrive and leave, and messages written
 * while the connection is down (queued with their client_id, sent when it is back).
 */
import t from 'tap'
import type { BrowserContext, Page } from 'playwright-core'
import { bearer, createUser, type TestUser } from '../helper.js'
import { createPost } from '../blog/fixtures/blog.js'
import { befriend, sendHttp } from '../social/fixtures/social.js'
import { badgeCount, launchBrowser, loginPage, openTab, startApp, waitForFrame } from './browser.js'

t.setTimeout(240_000)

const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } }

const browser = await launchBrowser(t)
if (!browser) process.exit(0)
const s = await startApp(t)

const notify = async (user: TestUser, title: string, message = 'Someone commented on your post') =>
  (await s.app.notifications.notify({ userIds: [user.id] }, { kind: 'comment', icon: 'comment', title, message } as never)).ids[0]!

/** Visible toasts' titles, oldest first. */
const shownTitles = (page: Page) => page.locator('#toasts .toast:not([hidden]):not(.leaving) .toast-title').allTextContents()

/** Records every line the page's live region is given. */
const recordAnnouncements = (page: Page) =>
  page.evaluate(`window.__announced = [];
    new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach((n) => window.__announced.push(n.textContent))))
      .observe(document.getElementById('announcer'), { childList: true })`)

type Box = { x: number; y: number; width: number; height: number }
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

for (const [name, size] of Object.entries(SIZES)) {
  t.test(`${name}: a burst of ten toasts`, async (t) => {
    const user = await createUser(s.app)
    const { context, page } = await loginPage(browser, s, user)
    t.teardown(() => context.close())
    await page.setViewportSize(size)
    await page.clock.install()
    await page.goto('/notifications')
    await waitForFrame(page, 'initial')
    await recordAnnouncements(page)

    for (let i = 0; i < 10; i++) await notify(user, `Burst ${i}`)
    await page.waitForFunction(() => document.querySelectorAll('#notification-list > li').length === 10)
    await page.waitForFunction(() => document.querySelector('.toast-more')?.textContent === '+7 more')
    t.same(await shownTitles(page), ['Burst 7', 'Burst 8', 'Burst 9'], 'the newest three are shown')
    t.equal(await page.getAttribute('.toast-more', 'href'), '/notifications', '"+7 more" opens the inbox')
    t.equal(await page.locator('[aria-live]').count(), 1, 'one live region in the page')
    t.equal(await page.locator('#toasts [role=status], #toasts[aria-live]').count(), 0, 'toasts are not live regions themselves')
    const announced = (await page.evaluate('window.__announced')) as string[]
    t.equal(announced.length, 10, 'ten announcements')
    t.same(new Set(announced).size, 10, 'each toast read out once')
    t.match(announced[0], /^New notification: Burst 0\. Someone commented/)

    // Never over the navbar; on a phone never over the page's own controls either.
    const navbar = (await page.locator('.navbar').boundingBox())!
    const boxes = (await page.locator('#toasts > :not([hidden])').evaluateAll((els) =>
      els.map((el) => el.getBoundingClientRect().toJSON()),
    )) as Box[]
    t.equal(boxes.length, 4, 'three toasts and "+7 more"')
    t.notOk(boxes.some((b) => overlaps(b, navbar)), 'no toast over the navbar')
    if (name === 'phone') {
      const controls = (await page.locator('main :is(a, button, input, select, textarea)').evaluateAll((els) =>
        els.map((el) => el.getBoundingClientRect().toJSON()).filter((b) => b.width && b.height),
      )) as Box[]
      t.notOk(boxes.some((b) => controls.some((c) => overlaps(b, c))), 'no toast over a control of the page')
    }

    // Paused while pointed at (desktop) or focused (keyboard, phone).
    if (name === 'desktop') await page.hover('#toasts .toast:not([hidden]) >> nth=0')
    else await page.focus('#toasts .toast:not([hidden]) .toast-close >> nth=0')
    await page.clock.runFor(20_000)
    t.same(await shownTitles(page), ['Burst 7', 'Burst 8', 'Burst 9'], 'still there after 20 s while paused')
    if (name === 'desktop') await page.mouse.move(5, size.height - 5)
    else await page.focus('#main')
    await page.clock.runFor(6_500)
    t.equal(await page.locator('#toasts .toast').count(), 0, 'gone 6 s after the pause ended')
    t.equal(await page.locator('.toast-more').count(), 0, 'and "+N more" with them')

    // Escape dismisses the newest; a folded one moves up.
    for (let i = 0; i < 4; i++) await notify(user, `Second ${i}`)
    await page.waitForFunction(() => document.querySelector('.toast-more')?.textContent === '+1 more')
    await page.keyboard.press('Escape')
    await page.clock.runFor(400)
    t.same(await shownTitles(page), ['Second 0', 'Second 1', 'Second 2'], 'Escape dismissed "Second 3"')
    t.equal(await page.locator('.toast-more').count(), 0, 'nothing folded any more')

    // A duration the user picks on the settings page, kept in this browser.
    await page.goto('/settings/notifications')
    await page.selectOption('#toast-seconds', '0')
    t.equal(await page.evaluate("localStorage.getItem('pulse.toastSeconds')"), '0')
    await page.reload()
    t.equal(await page.inputValue('#toast-seconds'), '0', 'the preference shows on the settings page')
    await page.goto('/notifications')
    await waitForFrame(page, 'initial')
    await notify(user, 'Stays')
    await page.locator('#toasts .toast', { hasText: 'Stays' }).waitFor()
    await page.clock.runFor(60_000)
    t.equal(await page.locator('#toasts .toast', { hasText: 'Stays' }).count(), 1, '"until I dismiss it": still there after a minute')
    await page.click('#toasts .toast-close')
    await page.clock.runFor(400)
    t.equal(await page.locator('#toasts .toast').count(), 0, 'dismissed with its button')
  })
}

t.test('three tabs of one user: one shows the toast and the desktop notification; closing it hands over', async (t) => {
  const user = await createUser(s.app)
  const { context, page: first } = await loginPage(browser, s, user)
  t.teardown(() => context.close())
  await context.addInitScript(`window.__desktop = [];
    window.Notification = class { static permission = 'granted'; static requestPermission() { return Promise.resolve('granted') }
      constructor(title) { window.__desktop.push(title) } }`)
  await first.close()
  const tabs = [await openTab(context, '/notifications'), await openTab(context, '/notifications'), await openTab(context, '/')]
  const focus = async (page: Page) => {
    await page.evaluate("window.dispatchEvent(new Event('focus'))")
    await page.waitForTimeout(30)
  }
  const roles = () => Promise.all(tabs.map((p) => (p.isClosed() ? 'closed' : p.evaluate('document.documentElement.dataset.toasts'))))
  // Focused in the order 1, 3, 2: tab 2 shows toasts, tab 3 is next in line.
  await focus(tabs[0]!)
  await focus(tabs[2]!)
  await focus(tabs[1]!)
  await tabs[0]!.waitForFunction(() => document.documentElement.dataset.toasts === 'silent')
  t.same(await roles(), ['silent', 'shown', 'silent'], 'the tab focused last shows toasts')

  const id = await notify(user, 'Only once')
  for (const tab of tabs) await tab.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '1')
  await tabs[1]!.locator('#toasts .toast').first().waitFor()
  await tabs[0]!.waitForTimeout(200)
  t.same(await Promise.all(tabs.map((p) => p.locator('#toasts .toast').count())), [0, 1, 0], 'one toast, in the tab focused last')
  t.equal(await tabs[0]!.locator(`#notification-${id}`).count(), 1, 'the other inbox got the row silently')
  t.same(await Promise.all(tabs.map((p) => p.locator('#announcer p').count())), [0, 1, 0], 'read out once')

  // All three in the background: one desktop notification, not three.
  for (const tab of tabs) await tab.evaluate("Object.defineProperty(document, 'hidden', { configurable: true, value: true })")
  await notify(user, 'Desktop once')
  for (const tab of tabs) await tab.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '2')
  await tabs[0]!.waitForTimeout(200)
  t.same(await Promise.all(tabs.map((p) => p.evaluate('window.__desktop.length'))), [0, 1, 0], 'one desktop notification')

  // The tab that showed them closes: the one focused before it takes over.
  // With runBeforeUnload, close() returns before the page has gone: wait for its 'close' event,
  // or roles() below can ask a page that is halfway closed (a race CI once lost).
  const gone = tabs[1]!.waitForEvent('close')
  await tabs[1]!.close({ runBeforeUnload: true })
  await gone
  await tabs[2]!.waitForFunction(() => document.documentElement.dataset.toasts === 'shown')
  t.same(await roles(), ['silent', 'closed', 'shown'], 'tab 3, focused before tab 2, took over')
  await notify(user, 'After handover')
  for (const tab of [tabs[0]!, tabs[2]!]) await tab.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '3')
  await tabs[2]!.locator('#toasts .toast', { hasText: 'After handover' }).waitFor()
  t.equal(await tabs[0]!.locator('#toasts .toast').count(), 0, 'tab 1 stays silent')
  t.equal(await badgeCount(tabs[0]!), 3, "tab 1's badge is in step")
})

async function phonePage(user: TestUser, path: string): Promise<{ context: BrowserContext; page: Page }> {
  const session = await loginPage(browser!, s, user, { next: path })
  await session.page.setViewportSize(SIZES.phone)
  return session
}

t.test('empty states stay true while content arrives and leaves live', async (t) => {
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)

  // Inbox: the empty state stays after the socket's first frame, goes with the first row.
  const inbox = await phonePage(alice, '/notifications')
  t.teardown(() => inbox.context.close())
  const empty = inbox.page.locator('#notifications-section .empty-state')
  t.ok(await empty.isVisible(), 'a new inbox says it is empty, after the first frame too')
  t.match(await empty.textContent(), /Nothing here yet/)
  await notify(alice, 'The first one')
  await inbox.page.locator('#notification-list > li').first().waitFor()
  t.notOk(await empty.isVisible(), 'gone once a row arrived')

  // Home: the summary follows the badge.
  const home = await inbox.context.newPage()
  await home.goto('/')
  await waitForFrame(home, 'initial')
  t.equal(await home.textContent('[data-unread-summary]'), '1 unread notification')
  await notify(alice, 'The second one')
  await home.waitForFunction(() => document.querySelector('[data-unread-summary]')?.textContent === '2 unread notifications')
  await home.close()
  t.pass('the home page summary follows live')

  // Messages: "No conversations yet" goes when the first conversation arrives live.
  await befriend(s.app, alice, bob)
  const messages = await inbox.context.newPage()
  await messages.goto('/messages')
  await waitForFrame(messages, 'initial')
  const noConversations = messages.locator('.empty-state', { hasText: 'No conversations yet' })
  t.ok(await noConversations.isVisible())
  await sendHttp(s.app, bob, { recipient_id: alice.id }, 'Hi!', 'empty-1')
  await messages.locator('#conversation-list > li').first().waitFor()
  t.notOk(await noConversations.isVisible(), 'hidden under the first conversation')

  // Comments: when the only comment is deleted, "No comments yet" comes back.
  const post = await createPost(s.app, alice, 'Quiet post')
  const added = await s.app.inject({ method: 'POST', url: `/api/blog/posts/${post.id}/comments`, headers: bearer(bob), payload: { body: 'Soon gone' } })
  const commentId = added.json().comment.id as number
  const postPage = await inbox.context.newPage()
  await postPage.goto(`/blog/posts/${post.id}`)
  await waitForFrame(postPage, 'initial')
  for (let i = 0; i < 100 && ![...(s.app.hub.users.get(alice.id) ?? [])].some((c) => c.topics.has(`post:${post.id}`)); i++) await postPage.waitForTimeout(50)
  t.equal(await postPage.locator('.comments .empty-state').count(), 0)
  const deleted = await s.app.inject({ method: 'DELETE', url: `/api/blog/comments/${commentId}`, headers: bearer(bob) })
  t.ok(deleted.statusCode < 300, `the comment was deleted (${deleted.statusCode})`)
  await postPage.locator(`#comment-${commentId}`).waitFor({ state: 'detached' })
  await postPage.locator('.comments .empty-state').waitFor()
  t.match(await postPage.textContent('.comments .empty-state'), /No comments yet/, 'the empty state is back')
  t.equal(await postPage.textContent(`#comment-count-${post.id}`), '0 comments')
})

t.test('a message written while the connection is down waits, then goes once with its client_id', async (t) => {
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  await befriend(s.app, alice, bob)
  const first = await sendHttp(s.app, bob, { recipient_id: alice.id }, 'Are you there?', 'offline-0')
  const conversationId = first.body.message.conversation_id as number
  const bobSocket = await loginPage(browser, s, bob) // bob online: a green dot for alice
  t.teardown(() => bobSocket.context.close())
  const { context, page } = await loginPage(browser, s, alice, { next: `/messages/${conversationId}` })
  t.teardown(() => context.close())
  await page.setViewportSize(SIZES.phone)
  let offline = false
  await page.routeWebSocket(/\/ws\/notifications/, (ws) => (offline ? ws.close({ code: 1011, reason: 'test: offline' }) : ws.connectToServer()))
  await page.route(`**/messages/${conversationId}`, (route) => (offline && route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.fallback()))
  await page.clock.install()
  await page.reload()
  await waitForFrame(page, 'initial')
  const dot = page.locator(`.presence-user-${bob.id}`).first()
  await page.waitForFunction((id) => document.querySelector(`.presence-user-${id}`)?.getAttribute('aria-label') === 'online', bob.id)

  offline = true
  for (const client of [...(s.app.hub.users.get(alice.id) ?? [])]) s.app.hub.close(client, 1012, 'test: offline')
  await page.locator('#connection-status').waitFor({ state: 'visible' })
  t.match(await page.textContent('#connection-status'), /^Connection lost\. Reconnecting…/, 'the banner in plain words')
  t.notMatch(await page.textContent('#connection-status'), /30 s/)
  t.equal(await dot.getAttribute('aria-label'), 'unknown', "presence is unknown while this page's socket is down")

  await page.fill('#compose textarea', 'Written offline')
  await page.press('#compose textarea', 'Enter')
  const pending = page.locator('li.message.pending', { hasText: 'Written offline' })
  await pending.locator('.message-meta', { hasText: 'waiting for the connection' }).waitFor()
  t.match(await pending.locator('.message-meta').textContent(), /^Sending…/, 'queued, saying so')
  t.notMatch(await page.textContent('#conversation'), /Failed to fetch/)
  t.equal(await pending.locator('.retry').count(), 0, 'no error while it only waits')

  offline = false
  await page.clock.runFor(120_000)
  await waitForFrame(page, 'initial', {}, 10_000).then(() => page.waitForFunction(() => window.__frames.filter((f) => f.type === 'initial').length === 2))
  await page.locator('li.message[data-message-id]', { hasText: 'Written offline' }).waitFor()
  t.equal(await page.locator('li.message.pending').count(), 0, 'sent once the socket was back')
  t.equal(await dot.getAttribute('aria-label'), 'online', 'presence known again')
  const history = await s.app.inject({ method: 'GET', url: `/api/conversations/${conversationId}/messages`, headers: bearer(alice) })
  const contents = (history.json().messages as Array<{ content: string }>).map((m) => m.content)
  t.equal(contents.filter((c) => c === 'Written offline').length, 1, 'stored once')

  // A send the server refuses: "Not sent", and Retry.
  await page.route('**/messages/*', (route) => (route.request().method() === 'POST' ? route.fulfill({ status: 500, body: '' }) : route.fallback()))
  await page.evaluate(() => document.getElementById('live')!.remove()) // no socket: the HTTP path
  await page.fill('#compose textarea', 'Refused once')
  await page.press('#compose textarea', 'Enter')
  const refused = page.locator('li.message.failed', { hasText: 'Refused once' })
  await refused.waitFor()
  t.match(await refused.locator('.message-meta').textContent(), /^Not sent\. Retry$/, '"Not sent", with Retry')
  await page.unroute('**/messages/*')
  await refused.locator('.retry').click()
  await page.locator('li.message[data-message-id]', { hasText: 'Refused once' }).waitFor()
  t.pass('Retry sent it')
})
