/**
 * Billing in a real browser: the invoice form recomputes its totals as you type
 * (htmx preview), adding a line works, issuing it shows the invoice page and the
 * pushed toast and badge (the socket stays open: no full reload); another user
 * sees nothing.
 */
import t from 'tap'
import { buildTestApp, createUser } from '../helper.js'
import { ist, seedBusiness } from '../billing/fixtures/seed.js'
import { badgeCount, framesOf, launchBrowser, loginPage } from './browser.js'

t.test('create an invoice through the form: live totals, then toast and badge', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await buildTestApp({}, { now: () => ist('2026-11-20T11:00') })
  t.teardown(() => s.close())
  await s.listen()
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const seeded = await seedBusiness(s.app, alice.id)

  const b = await loginPage(browser, s, bob, { next: '/billing/invoices' })
  const { page } = await loginPage(browser, s, alice, { next: '/billing/invoices/new' })
  t.equal(await badgeCount(page), 0)
  const grand = page.locator('#total-grand')
  t.equal(await grand.textContent(), '₹0.00')

  // Karnataka customer: inter-state, IGST
  await page.selectOption('select[name=customer_id]', String(seeded.remote.id))
  await page.selectOption('tr#line-0 select[name=product_id]', String(seeded.widget.id))
  await page.fill('tr#line-0 input[name=quantity]', '2')
  // 2 x ₹500 at 18 % IGST = ₹1,180.00
  await page.waitForFunction(() => document.getElementById('total-grand')?.textContent === '₹1,180.00')
  t.match(await page.textContent('#invoice-totals .supply'), /Inter-state supply to Karnataka \(29\): IGST/)
  t.equal(await page.textContent('#line-amount-0'), '₹1,180.00', "the line's amount follows too")

  // a second line: consulting at ₹1,000 less 10 %, 5 %: 900 + 45 = ₹945
  await page.click('#invoice-lines button:has-text("Add line")')
  await page.locator('tr#line-1').waitFor()
  await page.selectOption('tr#line-1 select[name=product_id]', String(seeded.service.id))
  await page.fill('tr#line-1 input[name=discount]', '10')
  await page.waitForFunction(() => document.getElementById('total-grand')?.textContent === '₹2,125.00')
  t.equal(await page.textContent('#total-igst'), '₹225.00')
  t.equal(await page.inputValue('tr#line-0 input[name=quantity]'), '2', 'typed values survive the line editor refresh')

  // intra-state when the place of supply is the seller's state
  await page.selectOption('select[name=place_of_supply]', '27')
  await page.waitForFunction(() => document.getElementById('total-cgst')?.textContent === '₹112.50')
  t.equal(await page.textContent('#total-sgst'), '₹112.50')
  await page.selectOption('select[name=place_of_supply]', '')
  await page.waitForFunction(() => !!document.getElementById('total-igst'))

  await page.click('#invoice-form button[value=issue]')
  const toast = page.locator('#toasts .toast').first()
  await toast.waitFor()
  t.equal(await toast.locator('.toast-title').textContent(), 'Invoice INV/26-27/00001 created')
  t.equal(await toast.locator('.toast-link').textContent(), 'View invoice')
  await page.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '1')
  t.equal(await badgeCount(page), 1, 'the badge went up without a reload')
  t.match(page.url(), /\/billing\/invoices\/\d+$/, 'the address is the invoice page')
  t.equal(await page.textContent('.invoice-number'), 'INV/26-27/00001')
  t.equal(await page.textContent('#invoice-total'), '₹2,125.00')
  t.same(
    (await framesOf(page)).map((f) => f.type),
    ['initial', 'notification'],
    'one socket all along: its initial frame, then the notification',
  )

  // mark paid from the invoice page: another toast, badge 2
  await page.click('#invoice-actions button:has-text("Mark paid")')
  await page.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '2')
  t.equal(await page.locator('#toasts .toast-title', { hasText: 'Invoice INV/26-27/00001 paid' }).count(), 1)
  // The push may arrive before the page's own answer is swapped in: wait for that swap, then check it.
  await page.waitForFunction(() => document.querySelector('#invoice-actions .status')?.textContent === 'Paid', null, { timeout: 5000 }).catch(() => {})
  t.equal(await page.textContent('#invoice-actions .status'), 'Paid')

  await b.page.waitForTimeout(200)
  t.equal(await badgeCount(b.page), 0, "bob's badge did not move")
  t.equal(await b.page.locator('#toasts .toast').count(), 0, 'bob got no toast')
  t.same((await framesOf(b.page)).map((f) => f.type), ['initial'])

  if (process.env.BILLING_SCREENSHOT) await page.screenshot({ path: process.env.BILLING_SCREENSHOT, fullPage: true })
})
