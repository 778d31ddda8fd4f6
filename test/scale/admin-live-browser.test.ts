/**
 * /admin/live in a real browser: uPlot charts of the samples so far, moving with the
 * ops_sample frames of the admin's own socket; a second admin sees the same; a user is
 * refused and gets no sample; an empty state before the first sample; axe and widths on
 * a desktop, a phone and in dark mode. OPS_SCREENSHOTS=dir keeps screenshots to look at.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t from 'tap'
import type { Page } from 'playwright-core'
import { framesOf, launchBrowser, loginPage, startApp, waitForFrame } from '../browser/browser.js'
import { adminNotify, connectReady, createUser } from '../helper.js'

t.setTimeout(180_000)
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const SHOTS = process.env.OPS_SCREENSHOTS

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
}

const chartsShown = (page: Page) =>
  page.waitForFunction(() => {
    const charts = document.getElementById('ops-charts')
    return charts && !charts.hidden && Number(document.getElementById('admin-live')?.dataset.samples) >= 2
  })

t.test('the charts draw the samples and move with the frames; a second admin sees the same', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t, { opsSampleMs: 250 })
  const admin = await createUser(s.app, { admin: true })
  const admin2 = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const a = await connectReady(s.url, { token: alice.token })

  const errors: string[] = []
  const { page } = await loginPage(browser, s, admin, { next: '/admin/live' })
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  page.on('pageerror', (e) => errors.push(e.message))
  t.equal(new URL(page.url()).pathname, '/admin/live')
  await chartsShown(page)
  t.equal(await page.locator('.ops-chart').count(), 8, 'eight charts')
  t.equal(await page.locator('.ops-plot canvas').count(), 8, 'each drawn by uPlot')
  t.ok(await page.isHidden('#ops-empty'), 'no empty state once there is data')
  t.ok(await page.isVisible('nav a[href="/admin/live"]'), 'linked from the navbar')

  // A user's page, and what it has received so far.
  const { page: userPage } = await loginPage(browser, s, alice, { next: '/' })
  const userMark = (await framesOf(userPage)).length
  t.equal((await userPage.goto('/admin/live'))?.status(), 403, 'the page is for admins')
  await userPage.goBack()
  await waitForFrame(userPage, 'initial')
  const userMark2 = (await framesOf(userPage)).length

  // A notification: the next sample counts it, and the deliveries chart goes up.
  t.equal(await page.getAttribute('[data-chart="deliveries"]', 'data-max'), '0', 'no delivery yet')
  await adminNotify(s.app, admin, { user_ids: [alice.id], title: 'Counted', message: '' })
  await a.client.next('notification')
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-chart="deliveries"]')?.dataset.max) > 0)
  t.match(await page.textContent('[data-chart="deliveries"] .ops-legend'), /pid \d+/, 'one line per process, named')
  t.match(await page.getAttribute('[data-chart="latency"] .ops-plot', 'aria-label'), /^Delivery latency p50 \/ p99, last 15 minutes; now p99 pid \d+ /)
  t.match(await page.textContent('[data-figure="sockets"]'), /^[1-9]\d*$/)
  await shot(page, 'desktop-light')

  // A second admin opens the page later: it starts with the history (the delivery too) and gets the same frames.
  const { page: page2 } = await loginPage(browser, s, admin2, { next: '/admin/live' })
  await chartsShown(page2)
  await page2.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-chart="deliveries"]')?.dataset.max) > 0)
  const latest = (await framesOf(page)).filter((f) => f.type === 'ops_sample').pop()!
  const next = await waitForFrame(page2, 'ops_sample')
  const seenBy1 = await page.waitForFunction((t) => window.__frames.some((f) => f.type === 'ops_sample' && f.sample.t === t), next.sample.t)
  t.ok(await seenBy1.jsonValue(), 'the first admin got the sample the second got')
  t.ok(next.sample.t >= latest.sample.t - 1000, 'a current sample')

  const userFrames = (await framesOf(userPage)).slice(userMark2)
  t.same(userFrames.filter((f) => f.type === 'ops_sample'), [], 'the user got no sample')
  t.ok(userMark >= 1, 'the user page had its socket')
  t.same(errors, [], 'no console error (CSP, script)')
  await a.client.close()
})

t.test('axe, widths and dark mode on the charts; the empty state before the first sample', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t, { opsSampleMs: 250 })
  const admin = await createUser(s.app, { admin: true })
  const alice = await createUser(s.app)
  const a = await connectReady(s.url, { token: alice.token })
  await adminNotify(s.app, admin, { user_ids: [alice.id], title: 'Some traffic', message: '' })
  const { context } = await loginPage(browser, s, admin, { next: '/', context: { bypassCSP: true } })

  for (const [name, size, scheme] of [
    ['desktop-light', { width: 1280, height: 800 }, 'light'],
    ['phone-light', { width: 390, height: 844 }, 'light'],
    ['phone-dark', { width: 390, height: 844 }, 'dark'],
    ['desktop-dark', { width: 1280, height: 800 }, 'dark'],
  ] as const) {
    const page = await context.newPage()
    await page.addInitScript({ content: AXE })
    await page.setViewportSize(size)
    await page.emulateMedia({ colorScheme: scheme })
    await page.goto('/admin/live')
    await chartsShown(page)
    const wide = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')
    t.equal(wide, 0, `${name}: nothing wider than ${size.width} px`)
    const violations = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id + ': ' + v.nodes[0].target.join(' ')))`)
    t.same(violations, [], `${name}: no serious or critical axe violation`)
    if (scheme === 'dark') {
      const stroke = await page.evaluate(() => getComputedStyle(document.getElementById('admin-live')!).getPropertyValue('--series-1').trim())
      t.equal(stroke, '#a5b4fc', 'the dark palette')
    }
    await shot(page, `axe-${name}`)
    await page.close()
  }
  await a.client.close()

  // Before the first sample (a process that just started): the empty state, no charts.
  const quiet = await startApp(t, { opsSampleMs: 3_600_000 })
  const quietAdmin = await createUser(quiet.app, { admin: true })
  const { page } = await loginPage(browser, quiet, quietAdmin, { next: '/admin/live', context: { bypassCSP: true } })
  await page.addScriptTag({ content: AXE })
  t.ok(await page.isVisible('#ops-empty'), 'the empty state shows')
  t.match(await page.textContent('#ops-empty'), /No samples yet/)
  t.ok(await page.isHidden('#ops-charts'), 'no empty charts')
  const violations = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id))`)
  t.same(violations, [], 'empty state: no serious or critical axe violation')
  await shot(page, 'empty')
})
