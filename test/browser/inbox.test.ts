/**
 * The inbox as a user meets it, at 1280x800 and 390x844: two tabs of one user (done in one
 * removes the row in the other, counts follow in both, undo brings it back), tabs whose
 * counts change live, a snooze that comes back as a toast and an unread row, the snooze
 * menu by keyboard (Enter opens, Escape closes, focus returns), a refused snooze time
 * shown next to the menu, mute from a row, a toast's link marking read, and axe.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import t from 'tap'
import type { Page } from 'playwright-core'
import { createUser, type TestUser } from '../helper.js'
import { focused, launchBrowser, loginPage, openTab, startApp, waitForFrame } from './browser.js'

t.setTimeout(240_000)

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const SIZES = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } }
const SHOTS = process.env.SCREENSHOTS_DIR
/** A tab in the background gets no animation frames: wait by polling. */
const POLL = { polling: 100 }

const browser = await launchBrowser(t)
if (!browser) process.exit(0)
const s = await startApp(t, { snoozeCheckIntervalMs: 100 })
s.app.notifications.mutes.allow('post', async () => true)

const notify = async (user: TestUser, kind: string, title: string, extra: Record<string, unknown> = {}) =>
  (await s.app.notifications.notify({ userIds: [user.id] }, { kind, title, message: 'Something happened', ...extra } as never)).ids[0]!
const rows = (page: Page) => page.locator('#notification-list > li').evaluateAll((els) => els.map((el) => Number(el.id.split('-')[1])))
const tabCount = (page: Page, key: string) => page.locator(`[data-unread-of="${key}"]`).first().textContent()
const overflow = (page: Page) => page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>
async function axe(page: Page) {
  await page.evaluate(AXE)
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ': ' + v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join(', ')))`) as Promise<string[]>
}
const shot = (page: Page, name: string) => (SHOTS ? page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true }) : Promise.resolve())

for (const [name, size] of Object.entries(SIZES)) {
  t.test(`${name}: two tabs of one user; done, undo, counts, tabs, live`, async (t) => {
    const user = await createUser(s.app)
    const [c1, c2] = [await notify(user, 'comment', 'First comment', { thread: 'post:1' }), await notify(user, 'comment', 'Second comment', { thread: 'post:1' })]
    const paid = await notify(user, 'invoice_paid', 'Invoice paid')
    const { context, page: a } = await loginPage(browser, s, user, { context: { viewport: size, bypassCSP: true } })
    t.teardown(() => context.close())
    await a.goto('/notifications')
    await waitForFrame(a, 'initial')
    const b = await openTab(context, '/notifications?category=blog')
    t.same(await rows(a), [paid, c2, c1])
    t.same(await rows(b), [c2, c1], 'the Blog tab lists blog rows')
    t.equal(await b.getAttribute('.inbox-tabs a[aria-current="page"]', 'href'), '/notifications?category=blog', 'Blog is the current tab')
    t.same([await tabCount(a, 'all'), await tabCount(a, 'blog'), await tabCount(a, 'billing')], ['3', '2', '1'])
    t.same(await axe(a), [], 'axe: the inbox')
    t.equal(await overflow(a), 0, 'nothing wider than the screen')
    await shot(a, `inbox-${name}`)

    // Done in tab A: the row leaves with an Undo; tab B loses it too; counts follow in both.
    const doneButton = a.locator(`#notification-${c2} form[data-inbox="archive"] button`)
    if (name === 'phone') {
      t.notOk(await doneButton.isVisible(), 'on a phone the controls are folded')
      await a.click(`#notification-${c2} .n-controls-toggle`)
      t.equal(await a.getAttribute(`#notification-${c2} .n-controls-toggle`, 'aria-expanded'), 'true')
      await shot(a, `inbox-${name}-controls`)
    }
    await doneButton.click()
    await a.locator('.undo-bar:not([hidden])', { hasText: 'Marked done.' }).waitFor()
    t.equal(await a.locator(`#notification-${c2}`).count(), 0, 'gone from tab A')
    await b.locator(`#notification-${c2}`).waitFor({ state: 'detached' })
    t.pass('gone from tab B, live')
    for (const p of [a, b]) await p.waitForFunction(() => document.querySelector('[data-unread-of="blog"]')?.textContent === '1', undefined, POLL)
    t.same([await tabCount(b, 'all'), await tabCount(b, 'blog')], ['2', '1'], 'counts follow in both tabs')
    t.match(await a.locator('#announcer').textContent(), /Marked done\. Undo is available/, 'said to a screen reader')
    t.equal(await focused(a, 'className', 'undo-button small'), 'undo-button small', 'focus went to Undo')
    await shot(a, `inbox-${name}-undo`)
    t.equal(await overflow(a), 0)

    // Undo: back in both tabs, in its place.
    await a.click('.undo-bar .undo-button')
    await a.locator(`#notification-${c2}`).waitFor()
    await b.locator(`#notification-${c2}`).waitFor()
    t.same(await rows(a), [paid, c2, c1], 'back in its place in tab A')
    t.same(await rows(b), [c2, c1], 'and in tab B')
    t.equal(await b.locator(`#notification-${c2}.unread`).count(), 0, 'done implied read; undo keeps it read')

    // Mark all read in A: B's rows lose their highlight, not only its badge.
    t.equal(await b.locator(`#notification-${c1}.unread`).count(), 1)
    await a.click('button:has-text("Mark all read")')
    await b.waitForFunction(() => document.querySelectorAll('#notification-list > li.unread').length === 0, undefined, POLL)
    t.pass("tab B's rows are read")
    await b.waitForFunction(() => document.querySelector('[data-unread-of="all"]')?.classList.contains('empty'), undefined, POLL)

    // A new notification: counts and rows in the tabs that take it, not in those that do not.
    const fresh = await notify(user, 'invoice_overdue', 'Invoice overdue')
    await a.locator(`#notification-${fresh}`).waitFor()
    await a.waitForFunction(() => document.querySelector('[data-unread-of="billing"]')?.textContent === '1', undefined, POLL)
    await b.waitForFunction(() => document.querySelector('[data-unread-of="billing"]')?.textContent === '1', undefined, POLL)
    t.equal(await b.locator(`#notification-${fresh}`).count(), 0, 'the Blog tab does not take a billing row')

    // Done for all read: every read row leaves, in both tabs.
    await a.click('button:has-text("Done for all read")')
    await a.waitForFunction(() => document.querySelectorAll('#notification-list > li').length === 1, undefined, POLL)
    t.equal(await a.locator(`#notification-${fresh}.unread`).count(), 1, 'the row pushed after "Mark all read" stayed unread and in the inbox')
    await b.waitForFunction(() => document.querySelectorAll('#notification-list > li').length === 0, undefined, POLL)
    t.ok(await b.locator('.empty-state', { hasText: 'No blog notifications yet.' }).isVisible(), "the Blog tab's empty state")
    const archived = await openTab(context, '/notifications?status=archived')
    t.same((await rows(archived)).sort(), [c1, c2, paid].sort(), 'the Archived view lists them')
    t.same(await axe(archived), [], 'axe: Archived')
    await archived.close()
  })

  t.test(`${name}: snooze by keyboard, a refused time, the return as a toast and an unread row; mute; a toast's link`, async (t) => {
    const user = await createUser(s.app)
    const id = await notify(user, 'comment', 'Snooze me', { thread: 'post:2' })
    const { context, page } = await loginPage(browser, s, user, { context: { viewport: size } })
    t.teardown(() => context.close())
    await page.goto('/notifications')
    await waitForFrame(page, 'initial')
    await page.evaluate("localStorage.setItem('pulse.toastSeconds', '0')")

    // Keyboard: Enter opens the menu, Escape closes it and focus is back on its button.
    if (name === 'phone') {
      await page.focus(`#notification-${id} .n-controls-toggle`)
      await page.keyboard.press('Enter')
    }
    await page.focus(`#notification-${id} details.n-snooze > summary`)
    await page.keyboard.press('Enter')
    t.equal(await page.getAttribute(`#notification-${id} details.n-snooze`, 'open'), '', 'Enter opened the snooze menu')
    await page.keyboard.press('Tab')
    t.equal(await page.evaluate('document.activeElement?.textContent'), '1 hour', 'Tab reaches the first choice')
    await shot(page, `snooze-${name}-menu`)
    t.same(await axe(page), [], 'axe: the open menu')
    t.equal(await overflow(page), 0, 'the open menu fits the screen')
    await page.keyboard.press('Escape')
    t.equal(await page.getAttribute(`#notification-${id} details.n-snooze`, 'open'), null, 'Escape closed it')
    t.equal(await page.evaluate('document.activeElement?.textContent?.trim()'), 'Snooze', 'focus is back on its button')

    // A time more than 30 days away: the server's message next to the menu, the row stays.
    await page.keyboard.press('Enter')
    const far = new Date(Date.now() + 45 * 86_400_000)
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
    await page.fill(`#snooze-at-row-${id}`, local(far))
    await page.click(`#notification-${id} .snooze-at button`)
    const error = page.locator(`#notification-${id} .n-control-error`)
    await error.waitFor()
    t.match(await error.textContent(), /at most 30 days/, "the server's message")
    t.equal(await page.locator(`#notification-${id}`).count(), 1, 'the row stays')
    await shot(page, `snooze-${name}-refused`)

    // A snooze of two seconds (through the API): the row leaves, then comes back unread with a toast.
    await page.keyboard.press('Escape')
    const until = new Date(Date.now() + 2000).toISOString()
    const res = await page.evaluate(
      `fetch('/api/notifications/${id}/snooze', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': document.querySelector('meta[name=csrf-token]').content }, body: JSON.stringify({ until: '${until}' }) }).then((r) => r.status)`,
    )
    t.equal(res, 200)
    await page.locator(`#notification-${id}`).waitFor({ state: 'detached' })
    t.pass('the snoozed row left')
    await waitForFrame(page, 'notification', { resurfaced: true }, 10_000)
    await page.locator(`#notification-${id}.unread`).waitFor()
    await page.locator(`#toasts .toast[data-notification-id="${id}"]`).waitFor()
    t.pass('back: an unread row and a toast')
    await shot(page, `snooze-${name}-back`)

    // Snooze from the toast: its menu's choices are written when it opens; toast and row leave.
    const toast = page.locator(`#toasts .toast[data-notification-id="${id}"]`)
    if (name === 'phone') await toast.locator('.n-controls-toggle').click()
    await toast.locator('details.n-snooze > summary').click()
    await toast.locator('details.n-snooze .menu-item').first().waitFor()
    t.equal(await toast.locator('details.n-snooze .menu-item').count(), 4, "the toast's snooze menu: four choices")
    await shot(page, `snooze-${name}-toast-menu`)
    await toast.locator('button:has-text("1 hour")').click()
    await page.locator('.undo-bar:not([hidden])', { hasText: 'Snoozed until' }).waitFor()
    t.equal(await page.locator(`#notification-${id}`).count(), 0, 'the row left with the toast')
    t.equal(await toast.count(), 0, 'the toast is gone')
    await page.click('.undo-bar .undo-button')
    await page.locator(`#notification-${id}.unread`).waitFor()
    t.pass('Undo: back in the inbox, unread')

    // Mute this post from the row.
    if (name === 'phone') await page.click(`#notification-${id} .n-controls-toggle`)
    await page.click(`#notification-${id} details.n-mute > summary`)
    await page.click(`#notification-${id} details.n-mute button:has-text("For a week")`)
    await page.locator('.undo-bar:not([hidden])', { hasText: 'Muted this post for a week.' }).waitFor()
    const mutes = await page.evaluate("fetch('/api/mutes').then((r) => r.json())")
    t.match(mutes, { mutes: [{ thread: 'post:2' }] }, 'muted through the mutes API')
    t.equal(await notify(user, 'comment', 'Muted comment', { thread: 'post:2' }), undefined, 'a muted post creates nothing')

    // A toast's link: marks read, then goes there.
    const linked = await notify(user, 'comment', 'Open me', { linkUrl: '/blog', linkText: 'View post' })
    const link = page.locator(`#toasts .toast[data-notification-id="${linked}"] .toast-link`)
    await link.waitFor()
    t.equal(await link.getAttribute('href'), '/blog', 'the link shows where it goes')
    await Promise.all([page.waitForURL('**/blog'), link.click()])
    t.equal((await s.app.notifications.get(user.id, linked)).read, true, 'following it marked it read')
  })
}

/**
 * In the page (a string: tsx's helpers do not exist there): each markup put in the page (in a
 * toast for a toast's), its menus opened and closed one by one (public/inbox.js writes a pushed
 * menu's choices then), the result without whitespace between tags, the order of attributes, or
 * htmx's own marker (this page's rows have it too, set when htmx processed the page).
 */
const COMPARE = `async function (shell, full, toast) {
  const host = document.createElement('div')
  document.body.append(host)
  const settle = () => new Promise((resolve) => setTimeout(resolve, 20))
  const norm = (el) => '<' + el.tagName + [...el.attributes].filter((a) => a.name !== 'data-htmx-powered').map((a) => ' ' + a.name + '="' + a.value + '"').sort().join('') + '>' +
    [...el.childNodes].map((c) => (c.nodeType === 1 ? norm(c) : (c.textContent || '').trim())).join('') + '</' + el.tagName + '>'
  const markup = async (html) => {
    host.innerHTML = toast ? '<div class="toast">' + html + '</div>' : html
    await settle()
    for (const d of host.querySelectorAll('details.menu')) {
      d.open = true
      await settle()
      d.open = false
    }
    return norm(host.querySelector('.n-controls'))
  }
  const out = [await markup(shell), await markup(full)]
  host.remove()
  return out
}`

t.test("a pushed row's or toast's controls, written by public/app.js, are the page's", async (t) => {
  const user = await createUser(s.app)
  const { context, page } = await loginPage(browser, s, user, { context: { viewport: SIZES.desktop } })
  t.teardown(() => context.close())
  await page.goto('/notifications')
  await waitForFrame(page, 'initial')
  // Every place, state and thread noun the template knows: its shell (what a frame carries)
  // against its full render (what a page gets), each put in the page, every menu opened.
  const states = { unread: {}, read: { read: true }, archived: { archived: true }, snoozed: { snoozed_until: '2030-01-01T09:00:00.000Z' } }
  const threads = [null, 'post:1', 'conversation:2', 'invoice:3', 'user:4']
  let compared = 0
  for (const place of ['row', 'toast']) {
    for (const [state, flags] of Object.entries(states)) {
      for (const thread of threads) {
        const n = { id: 4242, read: false, archived: false, snoozed_until: null, thread, ...flags }
        const shell = s.app.views.render('partials/notification-controls', { n, place, lazy: true })
        const full = s.app.views.render('partials/notification-controls', { n, place })
        t.match(shell, /^\s*<div class="n-controls"[^>]*><\/div>\s*$/, `${place}, ${state}, ${thread}: the frame carries only the shell`)
        const [written, rendered] = (await page.evaluate(`(${COMPARE})(${JSON.stringify(shell)}, ${JSON.stringify(full)}, ${place === 'toast'})`)) as [string, string]
        t.equal(written, rendered, `${place}, ${state}, ${thread ?? 'no thread'}: the same controls`)
        compared++
      }
    }
  }
  t.equal(compared, 40)
})
