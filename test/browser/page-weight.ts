/**
 * Bytes over the wire for a cold load (empty cache) and a repeat load of a page, as
 * Chromium's network layer counts them (headers + encoded bodies, every request).
 *
 *   npx tsx test/browser/page-weight.ts                 prints the figures for / and /notifications
 *   PRODUCTION=1 npx tsx test/browser/page-weight.ts    the same with production caching
 */
import type { Browser, BrowserContext } from 'playwright-core'
import type { TestApp } from '../helper.js'

export interface PageWeight {
  path: string
  requests: number
  coldBytes: number
  repeatBytes: number
}

async function transferred(context: BrowserContext, path: string): Promise<{ requests: number; bytes: number }> {
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('Network.enable')
  let bytes = 0
  let requests = 0
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength
    requests++
  })
  await page.goto(path, { waitUntil: 'networkidle' })
  await page.close()
  return { requests, bytes }
}

/** Loads `path` twice in a fresh context with the logged-in cookies: empty cache, then again. */
export async function pageWeight(browser: Browser, baseURL: string, loggedIn: BrowserContext, path: string): Promise<PageWeight> {
  const context = await browser.newContext({ baseURL, storageState: await loggedIn.storageState() })
  const cold = await transferred(context, path)
  const repeat = await transferred(context, path)
  await context.close()
  return { path, requests: cold.requests, coldBytes: cold.bytes, repeatBytes: repeat.bytes }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { chromium } = await import('playwright-core')
  const { startApp, loginPage, CHROMIUM_PATH, CHROMIUM_ARGS } = await import('./browser.js')
  const { createUser } = await import('../helper.js')
  const teardown: Array<() => unknown> = []
  const t = { skip: () => {}, teardown: (fn: () => unknown) => teardown.push(fn), comment: console.log }
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
  const s: TestApp = await startApp(t, process.env.PRODUCTION ? { env: 'production', cookieSecure: false } : {})
  const user = await createUser(s.app)
  for (let i = 0; i < 20; i++) await s.app.notifications.notify({ userIds: [user.id] }, { kind: 'system', title: `Notification ${i}`, message: 'A line of text' })
  const { context } = await loginPage(browser, s, user)
  for (const path of ['/', '/notifications']) console.log(JSON.stringify(await pageWeight(browser, s.url, context, path)))
  await browser.close()
  for (const fn of teardown.reverse()) await fn()
  process.exit(0)
}
