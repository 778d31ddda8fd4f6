/** /admin/live in a real browser: the figures refresh themselves (htmx polling every 2 s). */
import t from 'tap'
import { launchBrowser, loginPage, startApp } from '../browser/browser.js'
import { connectReady, createUser } from '../helper.js'

t.test('the live figures page refreshes itself', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)

  const { page } = await loginPage(browser, s, admin, { next: '/admin/live' })
  t.equal(new URL(page.url()).pathname, '/admin/live')
  // Rendered before the page's own socket opened; the next refresh counts it.
  await page.waitForFunction(() => document.querySelector('[data-figure="sockets"]')?.textContent === '1', null, { timeout: 7000 })
  t.ok(await page.isVisible('nav a[href="/admin/live"]'), 'linked from the navbar')

  // Two more sockets elsewhere: the page shows them within a refresh or two, without reloading.
  const a = await connectReady(s.url, { token: alice.token })
  const b = await connectReady(s.url, { token: alice.token })
  await page.waitForFunction(() => document.querySelector('[data-figure="sockets"]')?.textContent === '3', null, { timeout: 7000 })
  t.equal(await page.textContent('[data-figure="users"]'), '2')
  t.equal(await page.locator('#live-figures').count(), 1, 'the fragment replaced itself, not nested')
  await a.client.close()
  await b.client.close()
  await page.waitForFunction(() => document.querySelector('[data-figure="sockets"]')?.textContent === '1', null, { timeout: 7000 })
  t.pass('and back to one')
})
