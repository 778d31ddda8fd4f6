/**
 * Notification actions and settings as a user meets them (issue 11): a friend request
 * accepted from the toast (the toast says Accepted, the other tab's row turns read, the
 * requester hears friend_accepted); a preference set on /settings/notifications that
 * turns toasts off for a kind (the row comes, no toast); the settings page clean for
 * axe at 1280 and 390 wide. ACTIONS_SCREENSHOTS=<dir> keeps screenshots of each step to look at.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { connectReady, createUser } from '../helper.js'
import { createPost } from '../blog/fixtures/blog.js'
import { focused, launchBrowser, loginPage, openTab, startApp, waitForFrame } from './browser.js'

t.setTimeout(180_000)

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const SHOTS = process.env.ACTIONS_SCREENSHOTS
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } }

const browser = await launchBrowser(t)
if (!browser) process.exit(0)
const s = await startApp(t)
if (SHOTS) mkdirSync(SHOTS, { recursive: true })
const shot = async (page: Page, name: string, fullPage = false) => {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage })
}

const focus = async (page: Page) => {
  await page.evaluate("window.dispatchEvent(new Event('focus'))")
  await page.waitForFunction(() => document.documentElement.dataset.toasts === 'shown')
}

t.test('a friend request accepted from the toast: Accepted in place, the other tab follows, the requester hears it', async (t) => {
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const requester = await connectReady(s.url, { token: alice.token })
  t.teardown(() => requester.client.close())
  const { context, page: other } = await loginPage(browser, s, bob)
  t.teardown(() => context.close())
  await other.goto('/notifications')
  await waitForFrame(other, 'initial')
  const tab = await openTab(context, '/notifications')
  await tab.setViewportSize(SIZES.desktop)
  await focus(tab)
  await other.waitForFunction(() => document.documentElement.dataset.toasts === 'silent')

  const res = await s.app.inject({ method: 'POST', url: `/api/friends/request/${bob.id}`, headers: { authorization: `Bearer ${alice.token}` } })
  t.equal(res.statusCode, 201)
  const toast = tab.locator('#toasts .toast-friend_request')
  await toast.waitFor()
  const id = await toast.getAttribute('data-notification-id')
  await other.locator(`#notification-${id}.unread`).waitFor()
  t.equal(await other.locator('#toasts .toast').count(), 0, 'the other tab shows no toast')
  await shot(tab, 'actions-toast-before')

  // By keyboard: focus Accept in the toast and press Enter.
  await toast.getByRole('button', { name: 'Accept' }).focus()
  await tab.keyboard.press('Enter')
  await toast.locator('.n-outcome', { hasText: 'Accepted' }).waitFor()
  t.equal(await toast.locator('button[data-action-url]').count(), 0, 'the buttons gave way to the outcome')
  t.equal(await tab.locator(`#notification-${id} .n-outcome`).textContent(), 'Accepted', "this tab's row says so too")
  t.equal(await focused(tab, 'className', 'n-outcome done'), 'n-outcome done', 'focus stays on the outcome, not lost')
  t.equal(tab.url(), `${s.url}/notifications`, 'no page left')
  await shot(tab, 'actions-toast-accepted')

  await other.locator(`#notification-${id}:not(.unread)`).waitFor()
  t.pass("the other tab's row turned read")
  await waitForFrame(other, 'notification_state', { ids: [Number(id)], read: true })
  t.match(await requester.client.next('friend_accepted'), { data: { friend: { id: bob.id } } }, 'the requester got friend_accepted')
  t.equal((await s.app.notifications.get(bob.id, Number(id))).read, true)

  // The other tab still has the buttons: using them answers with the real state.
  await other.locator(`#notification-${id} button`, { hasText: 'Decline' }).click()
  await other.locator(`#notification-${id} .n-outcome.conflict`, { hasText: 'You already accepted' }).waitFor()
  t.pass('a second answer says it was already accepted')
})

t.test('toasts turned off for comments on the settings page: the row comes, no toast', async (t) => {
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const post = await createPost(s.app, alice, 'Quiet post')
  const { context, page } = await loginPage(browser, s, alice)
  t.teardown(() => context.close())
  await page.goto('/settings/notifications')
  await page.uncheck('input[name="comment.toast"]')
  await Promise.all([page.waitForURL('**/settings/notifications?saved=1'), page.click('button:has-text("Save settings")')])
  await page.getByRole('status').filter({ hasText: 'saved' }).waitFor()
  await page.goto('/notifications')
  await waitForFrame(page, 'initial')
  await focus(page)

  await s.app.inject({ method: 'POST', url: `/api/blog/posts/${post.id}/comments`, headers: { authorization: `Bearer ${bob.token}` }, payload: { body: 'Hello' } })
  const frame = await waitForFrame(page, 'notification')
  t.match(frame, { notification: { kind: 'comment' }, alert: { toast: false, desktop: true } })
  await page.locator(`#notification-${frame.notification.id}`).waitFor()
  t.equal(await page.locator('#toasts .toast').count(), 0, 'no toast')
  t.ok(await page.locator(`#notification-${frame.notification.id} a`, { hasText: 'Reply' }).count(), 'the row has Reply')

  // A like still toasts.
  await s.app.inject({ method: 'PUT', url: `/api/blog/posts/${post.id}/like`, headers: { authorization: `Bearer ${bob.token}` } })
  await page.locator('#toasts .toast-like').waitFor()
  t.pass('other kinds still show a toast')
})

for (const [name, size] of Object.entries(SIZES)) {
  t.test(`${name}: the settings page with mutes and an error, axe clean`, async (t) => {
    const alice = await createUser(s.app)
    const bob = await createUser(s.app)
    const post = await createPost(s.app, bob, 'A post with a long enough title to wrap on a phone')
    await s.app.notifications.mutes.mute(alice.id, `post:${post.id}`, Date.now() + 8 * 3600_000)
    await s.app.notifications.mutes.mute(alice.id, `user:${bob.id}`, null)
    const { context, page } = await loginPage(browser, s, alice, { context: { bypassCSP: true } })
    t.teardown(() => context.close())
    await page.addInitScript({ content: AXE })
    await page.setViewportSize(size)
    await page.goto('/settings/notifications')
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)
    t.equal(await page.inputValue('#time_zone'), zone === 'Asia/Calcutta' ? 'Asia/Kolkata' : zone, "the browser's zone is preselected")
    t.equal(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'), 0, 'nothing wider than the screen')
    const violations = async () =>
      page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')))`)
    t.same(await violations(), [], 'axe: no serious or critical violations')
    await shot(page, `settings-${name}`, true)

    // A bad time: the message, focus on the field, nothing saved.
    await page.check('input[name=quiet_on]')
    await page.fill('#quiet_start', '')
    await page.click('button:has-text("Save settings")')
    await page.locator('#quiet_start-error').waitFor()
    t.equal(await focused(page, 'id', 'quiet_start'), 'quiet_start', 'focus on the wrong field')
    t.same(await violations(), [], 'axe: clean with the error shown')
    t.equal((await s.app.notifications.preferences.get(alice.id)).quiet_hours, null, 'nothing saved')
    await shot(page, `settings-error-${name}`, true)

    await page.getByRole('button', { name: `Unmute @${bob.username}` }).click()
    await page.waitForURL('**/settings/notifications#mutes')
    t.equal(await page.locator('.mute').count(), 1, 'one mute left')
  })
}

t.test('admin form: the preview follows the typing; everyone asks first, then sends once and clears', async (t) => {
  const admin = await createUser(s.app, { admin: true })
  const { context, page } = await loginPage(browser, s, admin)
  t.teardown(() => context.close())
  await page.setViewportSize(SIZES.desktop)
  await page.goto('/admin/notifications')
  await page.fill('input[name=title]', 'Maintenance tonight')
  await page.fill('textarea[name=message]', 'Back by 02:00')
  await page.locator('#toast-preview .toast-title', { hasText: 'Maintenance tonight' }).waitFor()
  await page.locator('#toast-preview .toast-message', { hasText: 'Back by 02:00' }).waitFor()
  t.pass('the preview shows what is typed')
  await page.check('input[name=target][value=all]')
  await page.click('#compose-form button[type=submit]')
  const confirm = page.locator('.confirm-send')
  await confirm.waitFor()
  const users = await s.app.notifications.reachOfAll('system')
  t.match(await confirm.textContent(), new RegExp(`goes to ${users} users`))
  await shot(page, 'admin-confirm')
  const before = (await s.app.notifications.list(admin.id)).length
  await confirm.locator('button[type=submit]').dblclick()
  await page.locator('.flash.success', { hasText: `Sent to ${users} users` }).waitFor()
  t.equal(await page.inputValue('input[name=title]'), '', 'the form is empty again')
  t.equal((await s.app.notifications.list(admin.id)).length, before + 1, 'a double click sent it once')
  await shot(page, 'admin-sent')
})
