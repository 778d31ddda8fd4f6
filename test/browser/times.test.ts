/**
 * Times people read, in a browser in India (en-IN, Asia/Kolkata): a notification's row and
 * toast and a blog comment show "just now" with the exact local time as their title and the
 * instant in datetime; pushed ones too; and the text moves on as time passes (page.clock).
 */
import t from 'tap'
import type { Locator } from 'playwright-core'
import { createUser } from '../helper.js'
import { comment, createPost } from '../blog/fixtures/blog.js'
import { launchBrowser, loginPage, startApp, waitForFrame } from './browser.js'

const ZONE = 'Asia/Kolkata'
/** "5:38:12 pm": an instant's wall-clock time in a zone, as en-IN writes it. */
const clockTime = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-IN', { hour: 'numeric', minute: '2-digit', second: '2-digit', timeZone }).format(new Date(iso))

t.test('notification and comment times: relative, local, kept current', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const alice = await createUser(s.app, { username: 'alice' })
  const bob = await createUser(s.app, { username: 'bob' })
  const post = await createPost(s.app, alice, 'What time is it?')
  const first = (await comment(s.app, bob, post.id, 'first')).json().comment as { id: number; created_at: string }

  const { context, page } = await loginPage(browser, s, alice, { context: { locale: 'en-IN', timezoneId: ZONE } })
  await context.clock.install()
  t.match(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), /^Asia\/(Kolkata|Calcutta)$/, 'the page runs in India')

  async function checkTime(time: Locator, iso: string, what: string) {
    t.equal(await time.getAttribute('datetime'), iso, `${what}: the instant in datetime`)
    t.equal(await time.textContent(), 'just now', `${what}: just now`)
    const title = (await time.getAttribute('title')) ?? ''
    t.match(title, clockTime(iso, ZONE), `${what}: the title has the local time (${title})`)
    t.match(title, /IST|GMT\+5:30/, `${what}: and names the zone`)
    t.notMatch(title, clockTime(iso, 'UTC'), `${what}: not the UTC time`)
  }

  // The inbox: a row rendered by the server, then a toast and a row pushed live.
  await page.goto('/notifications')
  await waitForFrame(page, 'initial')
  const rendered = (await s.app.notifications.list(alice.id, { limit: 1 }))[0]!
  await checkTime(page.locator(`#notification-${rendered.id} time`), rendered.created_at, 'a rendered row')

  await comment(s.app, bob, post.id, 'second')
  const pushed = (await waitForFrame(page, 'notification')).notification as { id: number; created_at: string }
  await checkTime(page.locator(`#notification-${pushed.id} time`), pushed.created_at, 'a pushed row')
  await checkTime(page.locator(`#toasts .toast[data-notification-id="${pushed.id}"] time`), pushed.created_at, 'a toast')

  // The post: a comment rendered by the server, then one pushed live.
  await page.goto(`/blog/posts/${post.id}`)
  await waitForFrame(page, 'initial')
  const firstTime = page.locator(`#comment-${first.id} time`)
  await checkTime(firstTime, first.created_at, 'a rendered comment')
  for (let i = 0; i < 100 && ![...(s.app.hub.users.get(alice.id) ?? [])].some((c) => c.topics.has(`post:${post.id}`)); i++) {
    await new Promise((r) => setTimeout(r, 50))
  }
  const third = (await comment(s.app, bob, post.id, 'third')).json().comment as { id: number; created_at: string }
  await page.locator(`#comment-${third.id}`).waitFor()
  await checkTime(page.locator(`#comment-${third.id} time`), third.created_at, 'a pushed comment')

  // Time passes: the page's one timer rewrites every time element.
  await context.clock.fastForward('03:10')
  await page.waitForFunction((id) => document.querySelector(`#comment-${id} time`)?.textContent === '3 min ago', third.id)
  t.equal(await firstTime.textContent(), '3 min ago', 'the rendered comment: 3 min ago')
  t.equal(await page.locator(`#comment-${third.id} time`).textContent(), '3 min ago', 'the pushed comment: 3 min ago')
  await context.clock.fastForward('02:00:00')
  await page.waitForFunction((id) => /hr ago|yesterday/.test(document.querySelector(`#comment-${id} time`)?.textContent ?? ''), third.id)
  t.match(await firstTime.textContent(), /^(2 hr ago|yesterday)$/, 'two hours later: 2 hr ago (yesterday after midnight)')
})
