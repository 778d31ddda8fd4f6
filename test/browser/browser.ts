/**
 * Shared launcher for the browser tests (headless Debian Chromium + playwright-core).
 *
 *   const browser = await launchBrowser(t)      // null (and a visible SKIP) without Chromium
 *   if (!browser) return
 *   const s = await startApp(t)                 // buildTestApp + listen, closed on teardown
 *   const alice = await createUser(s.app)
 *   const { page } = await loginPage(browser, s, alice)   // real login form, socket open
 *   await waitForFrame(page, 'notification')
 *
 * Every page opened through `newContext` records the socket frames it received
 * (`pulse:frame` events from public/app.js) in `window.__frames`.
 */
import { existsSync } from 'node:fs'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import type { Config } from '../../src/config.js'
import { buildTestApp, type TestApp } from '../helper.js'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The part of a tap Test these helpers use. */
interface TapLike {
  skip(name: string, ...rest: unknown[]): unknown
  teardown(fn: () => unknown): void
  comment(...args: unknown[]): void
}

/**
 * Launches headless Chromium, closed on teardown. Without Chromium: a visible
 * `# SKIP Chromium not found at /usr/bin/chromium` and null.
 */
export async function launchBrowser(t: TapLike): Promise<Browser | null> {
  if (!existsSync(CHROMIUM_PATH)) {
    t.skip(`Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium): browser tests skipped`)
    return null
  }
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 })
  t.teardown(() => browser.close())
  return browser
}

/** buildTestApp(overrides) + listen(); the app closes on teardown. */
export async function startApp(t: TapLike, overrides: Partial<Config> = {}): Promise<TestApp> {
  const s = await buildTestApp(overrides)
  t.teardown(() => s.close())
  await s.listen()
  return s
}

declare global {
  interface Window {
    __frames: Array<Record<string, any>>
  }
}

/** A fresh browser context (own cookies) whose pages record their socket frames. */
export async function newContext(browser: Browser, baseURL: string, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, ...options })
  context.setDefaultTimeout(10_000)
  await context.addInitScript(() => {
    window.__frames = []
    document.addEventListener('pulse:frame', (e) => window.__frames.push((e as CustomEvent).detail))
  })
  return context
}

/**
 * Logs the user in through the real /login form in a new context and waits
 * until the page's live socket delivered its `initial` frame.
 */
export async function loginPage(
  browser: Browser,
  s: TestApp,
  user: { username: string; password: string },
  opts: { next?: string; context?: BrowserContextOptions } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, s.url, opts.context)
  const page = await context.newPage()
  await page.goto(`/login${opts.next ? `?next=${encodeURIComponent(opts.next)}` : ''}`)
  await page.fill('input[name=username]', user.username)
  await page.fill('input[name=password]', user.password)
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.click('form[action="/login"] button[type=submit]')])
  await waitForFrame(page, 'initial')
  return { context, page }
}

/** Opens another tab of a logged-in context and waits for its socket's `initial` frame. */
export async function openTab(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage()
  await page.goto(path)
  await waitForFrame(page, 'initial')
  return page
}

/**
 * A property of the focused element (`id`, `className`, `name`, trimmed), read once it
 * equals `expected` or after `timeout`: a page moves focus a moment after the DOM change
 * a test waits for (a swap's afterSwap, a page's init), so reading it at once is a race.
 */
export async function focused(page: Page, prop: 'id' | 'className' | 'name', expected: string, timeout = 5000): Promise<string | undefined> {
  const read = (prop: string) => (document.activeElement as unknown as Record<string, string> | null)?.[prop]?.trim()
  for (const end = Date.now() + timeout; ; await page.waitForTimeout(50)) {
    const now = await page.evaluate(read, prop)
    if (now === expected || Date.now() >= end) return now
  }
}

/** Waits until the page received a frame of this type (optionally matching `fields`). */
export async function waitForFrame(page: Page, type: string, fields: Record<string, unknown> = {}, timeout = 10_000) {
  const handle = await page.waitForFunction(
    ({ type, fields }) =>
      (window.__frames ?? []).find(
        (f) => f.type === type && Object.entries(fields).every(([k, v]) => JSON.stringify(f[k]) === JSON.stringify(v)),
      ),
    { type, fields },
    { timeout },
  )
  return (await handle.jsonValue()) as Record<string, any>
}

/** Frames a page has received so far. */
export async function framesOf(page: Page): Promise<Array<Record<string, any>>> {
  return page.evaluate(() => window.__frames ?? [])
}

/** The navbar's unread notification count as the page shows it. */
export async function badgeCount(page: Page, id = 'notif-badge'): Promise<number> {
  return Number(await page.getAttribute(`#${id}`, 'data-count'))
}
