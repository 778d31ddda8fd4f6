/**
 * Every page, logged out and in, at a desktop (1280x800) and a phone (390x844, and the
 * narrowest common phone, 360 px): nothing wider than the screen, the navbar folds into a
 * menu, the invoice editor's lines become cards, and axe-core finds no violation of impact
 * serious or critical (light and dark). Plus the skip link, the focus ring, focus on the
 * first wrong field, reduced motion, the login that follows a POST-only action, and the
 * assets (compressed, versioned, cached, a favicon, the page weight).
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import t from 'tap'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { Browser as HttpBrowser, buildTestApp, createUser } from '../helper.js'
import { createPost } from '../blog/fixtures/blog.js'
import { draftOf, seedBusiness } from '../billing/fixtures/seed.js'
import { befriend, sendHttp } from '../social/fixtures/social.js'
import { focused, launchBrowser, loginPage, newContext, startApp, waitForFrame } from './browser.js'
import { pageWeight } from './page-weight.js'

t.setTimeout(420_000)

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const NARROW = { width: 360, height: 740 }

const browser = (await launchBrowser(t)) as Browser
if (!browser) process.exit(0)
const s = await startApp(t)
const alice = await createUser(s.app, { admin: true, username: 'alice_ui' })
const bob = await createUser(s.app, { username: 'bob_ui' })

// Something on every page: a post with a comment, a conversation, an issued invoice, notifications.
const post = await createPost(s.app, bob, 'A post with a rather long title to see how it wraps on a phone', 'Some *words* and a [link](https://example.com).')
await s.app.inject({ method: 'POST', url: `/api/blog/posts/${post.id}/comments`, headers: { authorization: `Bearer ${alice.token}` }, payload: { body: 'A comment' } })
await befriend(s.app, alice, bob)
const sent = await sendHttp(s.app, bob, { recipient_id: alice.id }, 'Hello there, this is a message that is long enough to wrap.', 'c-1')
const conversationId = sent.body.message.conversation_id as number
const seeded = await seedBusiness(s.app, alice.id)
const created = (await s.app.billing.createInvoice(alice.id, draftOf(seeded.local.id, [{ productId: seeded.widget.id, qty: 2 }]), { issue: true })) as unknown as { ok?: { id: number }; id?: number }
const invoiceId = created.ok?.id ?? created.id
const note = await s.app.billing.issueNote(alice.id, invoiceId!, { kind: 'credit', noteDate: null, reason: 'One returned', lines: [{ invoiceLineId: (await s.app.billing.getInvoice(alice.id, invoiceId!)).lines[0]!.id, quantityMilli: 1000 }] })
const thisMonth = new Date(Date.now() + 330 * 60_000).toISOString().slice(0, 7)
for (let i = 0; i < 3; i++) await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: `Welcome ${i}`, message: 'A line of text' })

const LOGGED_OUT = ['/', '/login', '/register', '/blog', `/blog/posts/${post.id}`, '/no-such-page']
const LOGGED_IN = [
  '/',
  '/notifications',
  '/notifications?unread=1',
  '/settings/notifications',
  '/friends',
  '/messages',
  `/messages/${conversationId}`,
  '/blog',
  '/blog/new',
  `/blog/posts/${post.id}`,
  '/billing/invoices',
  '/billing/invoices/new',
  `/billing/invoices/${invoiceId}`,
  '/billing/customers',
  '/billing/customers/new',
  '/billing/products',
  '/billing/products/new',
  '/billing/profile',
  `/billing/notes/${note.id}`,
  '/billing/gstr1',
  `/billing/gstr1?month=${thisMonth}`,
  '/admin/notifications',
  '/admin/live',
  '/no-such-page',
]

const guest = await newContext(browser, s.url, { bypassCSP: true })
const member = (await loginPage(browser, s, alice, { context: { bypassCSP: true } })).context

interface Violation {
  id: string
  impact: string
  nodes: string[]
}

/** axe-core's serious and critical findings. */
async function axeViolations(page: Page): Promise<Violation[]> {
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary) })))`)
}

/** How far the page reaches to the right of the screen (0: it fits). */
const overflow = (page: Page) => page.evaluate('document.documentElement.scrollWidth - window.innerWidth') as Promise<number>

/** A new page of this context at this size and colour scheme, on `path`. */
async function openAt(context: BrowserContext, size: { width: number; height: number }, path: string, scheme: 'light' | 'dark' = 'light') {
  const page = await context.newPage()
  await page.addInitScript({ content: AXE })
  await page.setViewportSize(size)
  await page.emulateMedia({ colorScheme: scheme })
  await page.goto(path)
  return page
}

/** Visits the pages in one tab: how far each reaches past the screen, and (unless axe is off) axe's findings. */
async function visit(context: BrowserContext, paths: string[], size: { width: number; height: number }, opts: { scheme?: 'light' | 'dark'; axe?: boolean } = {}) {
  const page = await openAt(context, size, 'about:blank', opts.scheme)
  const found: Record<string, Violation[]> = {}
  const wide: Record<string, number> = {}
  for (const path of paths) {
    await page.goto(path)
    const over = await overflow(page)
    if (over > 0) wide[path] = over
    if (opts.axe === false) continue
    const violations = await axeViolations(page)
    if (violations.length) found[path] = violations
  }
  await page.close()
  return { found, wide }
}

for (const [who, context, paths] of [
  ['logged out', guest, LOGGED_OUT],
  ['logged in', member, LOGGED_IN],
] as const) {
  t.test(`axe and widths, ${who}`, async (t) => {
    // Two passes cover both sizes and both colour schemes.
    for (const [name, size, scheme] of [
      ['desktop, light', DESKTOP, 'light'],
      ['phone, dark', PHONE, 'dark'],
    ] as const) {
      const { found, wide } = await visit(context, paths, size, { scheme })
      t.same(found, {}, `${name}: no serious or critical axe violations on ${paths.length} pages`)
      t.same(wide, {}, `${name}: no page wider than ${size.width} px`)
    }
  })
}

t.test('no page is wider than a 360 px phone', async (t) => {
  for (const [context, paths] of [
    [guest, LOGGED_OUT],
    [member, LOGGED_IN],
  ] as const) {
    const { wide } = await visit(context, paths, NARROW, { axe: false })
    t.same(wide, {}, `none of ${paths.length} pages scrolls sideways`)
  }
})

t.test('phone: the navbar is one row with a menu; desktop: the links are in the bar', async (t) => {
  const page = await openAt(member, PHONE, '/notifications')
  const bar = (await page.locator('.navbar').boundingBox())!
  t.ok(bar.height <= 64, `the navbar is one row (${bar.height} px)`)
  t.equal(await page.locator('.nav-menu').isVisible(), false, 'the menu starts folded')
  t.ok(await page.locator('#notif-badge').isVisible(), 'the badge stays in the bar')
  await page.click('.nav-toggle')
  t.equal(await page.getAttribute('.nav-toggle', 'aria-expanded'), 'true')
  const logout = (await page.locator('.navbar form[action="/logout"] button').boundingBox())!
  t.ok(logout.x >= 0 && logout.x + logout.width <= PHONE.width && logout.y + logout.height <= PHONE.height, 'Log out is on screen')
  await page.keyboard.press('Escape')
  t.equal(await page.locator('.nav-menu').isVisible(), false, 'Escape folds the menu')
  t.equal(await page.getAttribute('.nav-toggle', 'aria-expanded'), 'false')
  t.equal(await page.evaluate('document.activeElement.className'), 'nav-toggle', 'focus goes back to the Menu button')

  await page.setViewportSize(DESKTOP)
  t.equal(await page.locator('.nav-toggle').isVisible(), false, 'desktop: no Menu button')
  t.ok(await page.locator('.nav-menu a[href="/blog"]').isVisible(), 'desktop: the links are in the bar')
  t.ok((await page.locator('.navbar').boundingBox())!.height <= 64, 'desktop: one row')
  await page.close()
})

t.test('phone: the invoice editor shows each line as a card with full-width fields', async (t) => {
  const page = await openAt(member, PHONE, '/billing/invoices/new')
  const select = (await page.locator('tr#line-0 select[name=product_id]').boundingBox())!
  t.ok(select.width >= 250, `the product select is wide enough to read (${select.width} px)`)
  await page.selectOption('tr#line-0 select[name=product_id]', String(seeded.widget.id))
  t.match(await page.locator('tr#line-0 select[name=product_id] option:checked').textContent(), /Widget/)
  for (const name of ['quantity', 'unit_price', 'discount']) {
    const box = (await page.locator(`tr#line-0 input[name=${name}]`).boundingBox())!
    t.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `${name} is on screen`)
  }
  t.equal(await overflow(page), 0, 'the editor fits the screen')
  await page.close()
})

t.test('keyboard and preferences: skip link, focus ring, first wrong field, reduced motion, dark', async (t) => {
  const page = await guest.newPage()
  await page.goto('/register')
  await page.keyboard.press('Tab')
  t.equal(await page.evaluate('document.activeElement.className'), 'skip-link', 'the first Tab reaches the skip link')
  t.ok((await page.locator('.skip-link').boundingBox())!.y >= 0, 'and it shows')
  await page.keyboard.press('Enter')
  t.equal(await page.evaluate('document.activeElement.id'), 'main', 'Enter moves focus to the content')
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle + " " + getComputedStyle(document.activeElement).outlineWidth')
  t.match(outline, /^solid [1-9]/, `a focused control has a visible outline (${outline})`)

  // A failed form: focus lands on the first field in error, not on the page.
  await page.fill('input[name=username]', 'fine_name')
  await page.fill('input[name=password]', 'short')
  await page.click('#register-card button[type=submit]')
  await page.waitForSelector('#password-error')
  t.equal(await focused(page, 'name', 'password'), 'password', 'focus is on the password, the first wrong field')
  t.equal(await page.getAttribute('input[name=password]', 'aria-invalid'), 'true')
  await page.fill('input[name=username]', 'x')
  await page.fill('input[name=password]', 'short')
  await page.click('#register-card button[type=submit]')
  await page.waitForSelector('#username-error')
  t.equal(await focused(page, 'name', 'username'), 'username', 'then on the username, now first')

  await page.emulateMedia({ reducedMotion: 'reduce', colorScheme: 'dark' })
  await page.goto('/')
  t.equal(await page.evaluate('getComputedStyle(document.documentElement).backgroundColor'), 'rgb(15, 20, 32)', 'dark: a dark page')
  await page.close()

  const mine = await member.newPage()
  await mine.emulateMedia({ reducedMotion: 'reduce' })
  await mine.goto('/notifications')
  await waitForFrame(mine, 'initial')
  await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'Still' })
  await mine.locator('#toasts .toast').first().waitFor()
  t.equal(await mine.locator('#toasts .toast').first().evaluate((el) => getComputedStyle(el).animationName), 'none', 'reduced motion: toasts do not slide in')
  await mine.close()
})

t.test('a login that follows a POST-only action lands on the page it came from', async (t) => {
  const user = await createUser(s.app)
  const { context, page } = await loginPage(browser, s, user, { next: '/notifications' })
  // Logged out in another tab: the cookie is gone, this page does not know yet.
  const other = await context.newPage()
  await other.goto('/')
  await Promise.all([other.waitForURL(/\/login$/), other.click('.navbar form[action="/logout"] button')])
  await other.close()
  await page.click('button:has-text("Mark all read")')
  await page.waitForURL(/\/login\?/)
  t.equal(new URL(page.url()).searchParams.get('next'), '/notifications', 'next is the page, not /notifications/read-all')
  await page.fill('input[name=username]', user.username)
  await page.fill('input[name=password]', user.password)
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('#login-card button[type=submit]')])
  t.equal(new URL(page.url()).pathname, '/notifications', 'back on the inbox after logging in')
  t.equal(await page.locator('h1').textContent(), 'Notifications')

  // The same without htmx: a plain form POST to a guarded action, with no login cookie.
  const anonymous = new HttpBrowser(s.app)
  await anonymous.get('/login')
  const host = new URL(s.url).host
  const res = await anonymous.post('/notifications/read-all', {}, { headers: { referer: `${s.url}/notifications?unread=1`, host } })
  t.equal(res.statusCode, 302)
  t.equal(res.headers.location, `/login?next=${encodeURIComponent('/notifications?unread=1')}`)
  const foreign = await anonymous.post('/notifications/read-all', {}, { headers: { referer: 'https://evil.example/x', host } })
  t.equal(foreign.headers.location, `/login?next=${encodeURIComponent('/')}`, 'another site as Referer: back to the start page')
  await context.close()
})

t.test('assets: compressed, versioned and cached, a favicon, scripts at the end of the page', async (t) => {
  const home = await s.app.inject({ method: 'GET', url: '/' })
  const css = /href="(\/assets\/[0-9a-f]{12}\/app\.css)"/.exec(home.body)?.[1]
  t.ok(css, `the stylesheet has a versioned address (${css})`)
  const res = await s.app.inject({ method: 'GET', url: css!, headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-encoding'], 'br', 'compressed')
  const size = readFileSync('public/app.css').length
  t.ok(res.rawPayload.length < size / 3, `css: ${res.rawPayload.length} bytes instead of ${size}`)
  t.match(home.body, /<script src="\/assets\/[0-9a-f]{12}\/htmx\/htmx\.min\.js"><\/script>\s*<script src="\/assets\/[0-9a-f]{12}\/htmx\/ext\/hx-ws\.min\.js"><\/script>\s*<script src="\/assets\/[0-9a-f]{12}\/app\.js" data-actions="\/assets\/[0-9a-f]{12}\/actions\.js"><\/script>\s*<\/body>/, 'scripts come after the content')
  t.notMatch(home.body.split('</head>')[0], /<script/, 'no script in <head> holds up the first paint')
  t.match(home.body, /<link rel="icon" href="\/assets\/[0-9a-f]{12}\/favicon\.svg"/)
  const favicon = await s.app.inject({ method: 'GET', url: '/favicon.ico' })
  t.equal(favicon.statusCode, 200, '/favicon.ico answers')
  t.equal(favicon.headers['content-type'], 'image/svg+xml')
  const icon = await s.app.inject({ method: 'GET', url: css!.replace('app.css', 'icons/bell.svg') })
  t.equal(icon.statusCode, 200, 'icons are served beside the stylesheet')

  const prod = await buildTestApp({ env: 'production' })
  t.teardown(() => prod.close())
  const cached = await prod.app.inject({ method: 'GET', url: css! })
  t.match(cached.headers['cache-control'], /max-age=31536000.*immutable/, 'production: cached for a year, immutable')

  for (const path of ['/', '/notifications']) {
    const w = await pageWeight(browser, s.url, member, path)
    t.comment(`${path}: ${w.coldBytes} bytes over the wire with an empty cache (${w.requests} requests), ${w.repeatBytes} on a repeat visit`)
    // The inbox page also loads the controls of its rows (inbox.js and inbox.css, ~8 KB);
    // other pages load them only with their first toast. app.js writes the controls of pushed
    // toasts and rows (~1.1 KB more, once, cached), which takes ~1.5 KB off every pushed frame.
    const budget = path === '/notifications' ? 57_000 : 45_000
    t.ok(w.coldBytes < budget, `${path} weighs under ${budget / 1000} KB cold (${w.coldBytes})`)
  }
})

t.test('after "Mark paid" the invoice page starts at the top, its new status in view', async (t) => {
  const page = await openAt(member, PHONE, `/billing/invoices/${invoiceId}`)
  await waitForFrame(page, 'initial')
  await page.evaluate('window.scrollTo(0, 200)')
  await page.evaluate(`document.querySelector('#invoice-actions form[action$="/paid"] button').click()`)
  await page.locator('#invoice-actions .status', { hasText: 'Paid' }).waitFor()
  t.equal(await page.evaluate('window.scrollY'), 0, 'scrolled to the top')
  const status = (await page.locator('#invoice-actions .status').boundingBox())!
  const navbar = (await page.locator('.navbar').boundingBox())!
  t.ok(status.y >= navbar.y + navbar.height, 'the status is not under the navbar')
  await page.close()
})
