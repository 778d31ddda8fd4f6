/**
 * The GSTR-1 summary in a real browser, for a month with data: it renders, the
 * B2C large invoice is where it belongs, a CSV link downloads the file, and axe-core
 * finds no serious or critical violation at desktop (1280) and phone (390) width,
 * where nothing is wider than the screen. GSTR1_SCREENSHOTS=<dir> keeps the screenshots.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import t from 'tap'
import { buildTestApp, createUser } from '../helper.js'
import { draftOf, ist, seedBusiness } from '../billing/fixtures/seed.js'
import { launchBrowser, loginPage } from './browser.js'

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

t.test('the GSTR-1 summary: renders, downloads a CSV, axe clean at desktop and phone width', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await buildTestApp({}, { now: () => ist('2026-11-02T10:00') })
  t.teardown(() => s.close())
  await s.listen()
  const alice = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const b = s.app.billing
  const walkIn = await b.createCustomer(alice.id, { name: 'Mysuru walk-in', gstin: null, stateCode: '29', address: 'Mysuru', email: '' })
  // B2B (two rates), B2C large (₹84,747 + IGST 15,254.46 = ₹1,00,001), B2C small, and a credit note
  const inv = await b.createInvoice(alice.id, draftOf(a.remote.id, [{ productId: a.widget.id }, { productId: a.service.id }], null, { invoiceDate: '2026-10-03' }), { issue: true })
  await b.createInvoice(alice.id, draftOf(walkIn.id, [{ productId: a.widget.id, price: 84_747_00 }], null, { invoiceDate: '2026-10-06' }), { issue: true })
  await b.createInvoice(alice.id, draftOf(walkIn.id, [{ productId: a.widget.id, qty: 3 }], null, { invoiceDate: '2026-10-07' }), { issue: true })
  const line = (await b.getInvoice(alice.id, inv.id)).lines[0]!
  await b.issueNote(alice.id, inv.id, { kind: 'credit', noteDate: '2026-10-20', reason: 'Returned', lines: [{ invoiceLineId: line.id, quantityMilli: 1000 }] })

  const { context, page } = await loginPage(browser, s, alice, { next: '/billing/gstr1', context: { bypassCSP: true, acceptDownloads: true } })
  await page.addInitScript({ content: AXE })
  for (const [name, size] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    await page.setViewportSize(size)
    await page.goto('/billing/gstr1')
    t.equal(await page.textContent('h1'), 'GSTR-1 summary: October 2026', `${name}: last month`)
    t.match(await page.textContent('#gstr1-b2cl tbody tr'), /INV\/26-27\/00002[\s\S]*1,00,001\.00/, `${name}: the B2C large invoice`)
    t.equal(await page.locator('#gstr1-b2b tbody tr').count(), 2, `${name}: one B2B invoice at two rates`)
    const violations = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary) })))`)
    t.same(violations, [], `${name}: no serious or critical axe violations`)
    t.equal(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'), 0, `${name}: nothing wider than the screen`)
    const dir = process.env.GSTR1_SCREENSHOTS
    if (dir) {
      await page.screenshot({ path: join(dir, `gstr1-${name}.png`), fullPage: true })
      for (const id of ['gstr1', 'gstr1-b2b', 'gstr1-hsn']) await page.locator(`#${id}`).screenshot({ path: join(dir, `${id}-${name}.png`) })
    }
  }

  // the month picker and a CSV download
  await page.fill('#month', '2026-09')
  await page.click('#gstr1 button[type=submit]')
  await page.waitForURL(/month=2026-09/)
  t.ok(await page.locator('#gstr1-empty').isVisible(), 'September: the empty state')
  await page.goto('/billing/gstr1?month=2026-10')
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#gstr1-b2cl a[download]')])
  t.equal(download.suggestedFilename(), 'gstr1-2026-10-b2cl.csv')
  const csv = readFileSync((await download.path())!, 'utf8')
  t.equal(csv, 'Invoice Number,Invoice date,Invoice Value,Place Of Supply,Applicable % of Tax Rate,Rate,Taxable Value,Cess Amount,E-Commerce GSTIN\r\nINV/26-27/00002,06-Oct-2026,100001.00,29-Karnataka,,18,84747.00,0.00,\r\n')
  await context.close()
})
