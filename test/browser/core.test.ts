/**
 * The core in a real browser: admin form -> A's toast and badge without reload,
 * B unchanged; mark read in a second tab lowers the first tab's badge; after the
 * socket drops the page reconnects with since= and gets what it missed, once.
 */
import t from 'tap'
import { CloseCode } from '../../src/protocol.js'
import { createUser } from '../helper.js'
import { badgeCount, framesOf, launchBrowser, loginPage, newContext, openTab, startApp, waitForFrame } from './browser.js'

const XSS = '<img src=x onerror=alert(1)>'

// Four browser scenarios: allow for a busy machine.
t.setTimeout(240_000)

t.test('admin form pushes a toast and badge to A only; tabs stay in step; reconnect resumes', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)

  const a = await loginPage(browser, s, alice, { next: '/notifications' })
  const b = await loginPage(browser, s, bob)
  const dialogs: string[] = []
  for (const page of [a.page, b.page]) page.on('dialog', (d) => (dialogs.push(d.message()), void d.dismiss()))
  t.equal(await badgeCount(a.page), 0, 'A starts at 0')
  t.equal(await badgeCount(b.page), 0, 'B starts at 0')

  // The admin sends through the real form, in a third context.
  const adm = await loginPage(browser, s, admin, { next: '/admin/notifications' })
  await adm.page.check('input[name=target][value=user]')
  await adm.page.fill('input[name=usernames]', alice.username)
  await adm.page.fill('input[name=title]', XSS)
  await adm.page.fill('textarea[name=message]', 'hello <b>there</b>')
  await adm.page.click('#admin-send button[type=submit]')
  await adm.page.waitForSelector('text=Sent to')
  t.match(await adm.page.textContent('#admin-send .flash'), /Sent to 1 user\b/, 'admin sees how many were sent')

  // A: toast (title as text), badge up, row prepended; all without reload.
  const toast = a.page.locator('#toasts .toast').first()
  await toast.waitFor()
  t.equal(await toast.locator('.toast-title').textContent(), XSS, 'the toast shows the title as text')
  t.equal(await a.page.locator('#toasts img, #notification-list img').count(), 0, 'no <img> was injected')
  await a.page.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '1')
  t.equal(await badgeCount(a.page), 1, "A's badge went up without reload")
  t.equal(await a.page.locator('#notification-list > li').count(), 1, 'the row was added to the open list')
  const [pushed] = (await framesOf(a.page)).filter((f) => f.type === 'notification')
  t.equal(pushed?.notification.title, XSS)

  // B: nothing changed.
  await b.page.waitForTimeout(300)
  t.equal(await badgeCount(b.page), 0, "B's badge did not change")
  t.equal(await b.page.locator('#toasts .toast').count(), 0, 'B got no toast')
  t.same((await framesOf(b.page)).map((f) => f.type), ['initial'], 'B received only its initial frame')

  // A marks it read in a second tab: the first tab's badge goes down.
  const tab2 = await openTab(a.context, '/notifications')
  t.equal(await badgeCount(tab2), 1, 'the second tab renders the badge on the server')
  await tab2.click(`#notification-${pushed!.notification.id} button:has-text("Mark read")`)
  await tab2.waitForFunction((id) => !document.querySelector(`#notification-${id}`)?.classList.contains('unread'), pushed!.notification.id)
  await a.page.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '0')
  t.equal(await badgeCount(a.page), 0, "the first tab's badge went down")
  t.equal(await badgeCount(tab2), 0, "the second tab's badge went down")
  await tab2.close()

  // The server drops A's socket (1012); a notification is created while it is down;
  // the page reconnects with since= and gets it once.
  const lastSeen = pushed!.notification.id as number
  for (const client of [...(s.app.hub.users.get(alice.id) ?? [])]) s.app.hub.close(client, CloseCode.restarting, 'test restart')
  const missed = await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'While you were away' })
  const replayed = await waitForFrame(a.page, 'notification', {}, 10_000).then(async () =>
    a.page.waitForFunction((id) => window.__frames.find((f) => f.type === 'notification' && f.notification.id === id), missed.ids[0]),
  )
  t.ok(replayed, 'the missed notification arrived after reconnecting')
  await a.page.waitForTimeout(300)
  const frames = await framesOf(a.page)
  t.equal(frames.filter((f) => f.type === 'initial').length, 2, 'a second initial frame: the page reconnected')
  t.equal(frames.filter((f) => f.type === 'notification' && f.notification.id === missed.ids[0]).length, 1, 'the missed one arrived once')
  t.equal(frames.filter((f) => f.type === 'notification' && f.notification.id === lastSeen).length, 1, 'the one seen before was not replayed')
  t.equal(await badgeCount(a.page), 1, 'badge counts the missed notification')
  t.equal(await a.page.locator(`#toasts .toast[data-notification-id="${missed.ids[0]}"]`).count(), 1, 'one toast for it')
  t.same((await framesOf(b.page)).map((f) => f.type), ['initial'], 'B still received nothing else')

  // A tab sent to the background keeps its socket (pauseOnBackground is off in app.js):
  // the notification arrives while hidden, once, and nothing is replayed on return.
  // (A string, not a function: tsx's __name helper does not exist in the page.)
  const setHidden = (hidden: boolean) =>
    a.page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, value: ${hidden} });
      document.dispatchEvent(new Event('visibilitychange'))`)
  await setHidden(true)
  await a.page.waitForTimeout(300)
  t.equal(s.app.hub.users.has(alice.id), true, 'hidden: the socket stays open')
  const hiddenId = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'While hidden' })).ids[0]!
  await a.page.waitForFunction((id) => window.__frames.some((f) => f.type === 'notification' && f.notification.id === id), hiddenId)
  await setHidden(false)
  await a.page.waitForTimeout(300)
  const after = await framesOf(a.page)
  t.equal(after.filter((f) => f.type === 'initial').length, 2, 'no new connection for a hidden tab')
  const counts = new Map<number, number>()
  for (const f of after.filter((f) => f.type === 'notification')) counts.set(f.notification.id, (counts.get(f.notification.id) ?? 0) + 1)
  t.same([...counts.values()], [1, 1, 1], `every notification arrived once (${JSON.stringify([...counts])})`)
  t.equal(await badgeCount(a.page), 2)

  // Mark all read through htmx: the list re-renders, the badge (hx-select-oob) goes to 0.
  await a.page.click('button:has-text("Mark all read")')
  await a.page.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '0')
  t.equal(await a.page.locator('#notification-list > li.unread').count(), 0, 'mark all read: no unread rows')
  t.equal(await a.page.locator('#notification-list > li').count(), 3, 'the list is still there')
  t.equal(await a.page.locator('#live').count(), 1, 'the socket element is still in the page')
  t.same(dialogs, [], 'no script from user text ran (no alert)')
})

t.test('register and login forms: htmx swaps 422 errors next to the fields, then redirects', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  await createUser(s.app, { username: 'taken' })
  const context = await newContext(browser, s.url)
  const page = await context.newPage()
  await page.goto('/register')
  await page.evaluate('window.__marker = 1')
  await page.fill('input[name=username]', 'x')
  await page.fill('input[name=password]', 'short')
  await page.click('#register-card button[type=submit]')
  await page.waitForSelector('#password-error')
  t.equal(await page.textContent('#password-error'), 'Use at least 8 characters.', 'password message next to its field')
  t.match(await page.textContent('#username-error'), /Use 3 to 32/, 'username message next to its field')
  await page.fill('input[name=username]', 'taken')
  await page.fill('input[name=password]', 'long-enough-password')
  await page.click('#register-card button[type=submit]')
  await page.waitForFunction(() => document.getElementById('username-error')?.textContent === 'That username is taken.')
  t.equal(await page.locator('#password-error').count(), 0, 'the password error is gone')
  t.equal(await page.evaluate('window.__marker'), 1, 'swapped by htmx, no page load')
  await page.fill('input[name=username]', 'newcomer')
  await page.fill('input[name=password]', 'long-enough-password')
  await page.click('#register-card button[type=submit]')
  await page.waitForURL(`${s.url}/`)
  await waitForFrame(page, 'initial')
  t.match(await page.textContent('.nav-user'), '@newcomer', 'registered, logged in, live socket open')

  await page.click('.navbar form[action="/logout"] button')
  await page.waitForURL(/\/login$/)
  await page.fill('input[name=username]', 'newcomer')
  await page.fill('input[name=password]', 'wrong-password')
  await page.click('#login-card button[type=submit]')
  await page.waitForSelector('#login-card .form-error')
  t.equal(await page.textContent('#login-card .form-error'), 'Wrong username or password.')
  t.equal(await page.inputValue('input[name=username]'), 'newcomer', 'the username is kept')
})

t.test('a notification committed between the page render and the socket opening is not lost', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const b = await loginPage(browser, s, bob)
  const { page } = await loginPage(browser, s, alice, { next: '/notifications' })
  const before = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'Before render' })).ids[0]!
  // Hold the next page's socket until a notification has been committed.
  let socketUrl = ''
  let during = 0
  await page.routeWebSocket(/\/ws\/notifications/, async (ws) => {
    socketUrl = ws.url()
    during = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'During connect' })).ids[0]!
    ws.connectToServer()
  })
  await page.reload()
  await waitForFrame(page, 'initial')
  await page.waitForFunction((id) => window.__frames.some((f) => f.type === 'notification' && f.notification.id === id), during)
  t.match(socketUrl, new RegExp(`[?&]since=${before}(&|$)`), 'the first socket resumes after the newest id the page rendered')
  t.equal(await page.locator(`#notification-${during}`).count(), 1, 'its row was added to the list')
  t.equal(await page.locator(`#notification-${before}`).count(), 1, 'the rendered row is there once')
  t.equal(await page.locator(`#toasts .toast[data-notification-id="${during}"]`).count(), 1, 'a toast for it')
  t.equal(await page.locator(`#toasts .toast[data-notification-id="${before}"]`).count(), 0, 'no toast for what the page already showed')
  await page.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '2')
  t.same((await framesOf(b.page)).map((f) => f.type), ['initial'], 'bob got nothing')
})

t.test('while the socket is down the badge polls every 30 s; polling stops when it is back', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const alice = await createUser(s.app)
  const { page } = await loginPage(browser, s, alice)
  let refuse = false
  await page.routeWebSocket(/\/ws\/notifications/, (ws) => (refuse ? ws.close({ code: 1011, reason: 'test: refused' }) : ws.connectToServer()))
  let polls = 0
  page.on('request', (r) => void (r.url().includes('/api/notifications/unread-count') && polls++))
  await page.clock.install()
  await page.clock.pauseAt(Date.now() + 1000)

  refuse = true
  for (const client of [...(s.app.hub.users.get(alice.id) ?? [])]) s.app.hub.close(client, CloseCode.restarting, 'test restart')
  await page.locator('#connection-status').waitFor({ state: 'visible' })
  t.match(await page.textContent('#connection-status'), /Reconnecting/, 'the page says it is reconnecting')
  await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'While down' })
  t.equal(await badgeCount(page), 0)

  await page.clock.fastForward(31_000)
  await page.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '1')
  t.ok(polls >= 1, `the badge was refreshed by polling (${polls} poll)`)
  const pollsWhileDown = polls

  refuse = false
  await page.clock.fastForward(120_000)
  await waitForFrame(page, 'notification', { unread_count: 1 })
  await page.locator('#connection-status').waitFor({ state: 'hidden' })
  t.equal((await framesOf(page)).filter((f) => f.type === 'initial').length, 2, 'reconnected')
  const pollsAtReconnect = polls
  t.ok(pollsAtReconnect >= pollsWhileDown)
  await page.clock.fastForward(95_000)
  await page.waitForTimeout(200)
  t.equal(polls, pollsAtReconnect, 'no polling once the socket is back')

  // Logged out elsewhere: 4401, no reconnect, the page says so.
  const [live] = [...(s.app.hub.users.get(alice.id) ?? [])]
  await s.app.accounts.logout(live!.sessionId)
  await page.waitForFunction(() => /logged out/.test(document.getElementById('connection-status')?.textContent ?? ''))
  await page.clock.fastForward(120_000)
  await page.waitForTimeout(200)
  t.equal((await framesOf(page)).filter((f) => f.type === 'initial').length, 2, 'no reconnect after 4401')
  t.equal(s.app.hub.users.has(alice.id), false)
})
