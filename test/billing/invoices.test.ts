/**
 * Invoices end to end: numbering per financial year (also across 31 March ->
 * 1 April and under concurrent creation from several connections), the forms
 * and the live preview, isolation between businesses, the notifications.
 */
import { sql } from 'drizzle-orm'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { onPostgresNow } from '../postgres/harness.js'
import t from 'tap'
import { bearer, Browser, buildTestApp, connectReady, createUser, sqlRows, sqlValue } from '../helper.js'
import { draftOf, gstin, ist, seedBusiness } from './fixtures/seed.js'

function clockAt(local: string) {
  const clock = { ms: ist(local), set: (l: string) => void (clock.ms = ist(l)) }
  return clock
}

t.test('numbers run per business and financial year, gapless, across 31 March -> 1 April', async (t) => {
  const clock = clockAt('2027-03-31T10:00')
  const s = await buildTestApp({}, { now: () => clock.ms })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const b = await seedBusiness(s.app, bob.id, 'Bob & Sons')
  const billing = s.app.billing
  const issue = async (userId: number, customerId: number, productId: number) => {
    return billing.createInvoice(userId, draftOf(customerId, [{ productId }]), { issue: true })
  }

  const first = await issue(alice.id, a.local.id, a.widget.id)
  t.match(first, { number: 'INV/26-27/00001', financialYear: '2026-27', sequence: 1, invoiceDate: '2027-03-31', dueDate: '2027-04-30', status: 'issued' })
  // A draft takes no number, so deleting it leaves no gap.
  const draft = await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }]), { issue: false })
  t.ok(draft.number === null && draft.status === 'draft', 'a draft has no number')
  clock.set('2027-03-31T23:59')
  t.equal((await issue(alice.id, a.remote.id, a.service.id)).number, 'INV/26-27/00002')
  t.equal((await issue(bob.id, b.local.id, b.widget.id)).number, 'INV/26-27/00001', "bob's numbers are his own")
  clock.set('2027-04-01T00:00')
  t.equal((await issue(alice.id, a.local.id, a.widget.id)).number, 'INV/27-28/00001', 'a new financial year starts at 0001')
  // the draft from March is issued in April: it gets April's date and the next number
  const issuedDraft = await billing.issueInvoice(alice.id, draft.id)
  t.match(issuedDraft, { number: 'INV/27-28/00002', invoiceDate: '2027-04-01' })
  await t.rejects(async () => billing.issueInvoice(alice.id, issuedDraft.id), /already issued/)
  await t.rejects(async () => billing.issueInvoice(bob.id, issuedDraft.id), /You have no invoice/, "bob cannot issue alice's draft")
  clock.set('2028-03-31T12:00')
  t.equal((await issue(alice.id, a.local.id, a.widget.id)).number, 'INV/27-28/00003')

  const numbers = (await billing.listInvoices(alice.id)).map((i) => i.number).reverse()
  t.same(numbers, ['INV/26-27/00001', 'INV/26-27/00002', 'INV/27-28/00001', 'INV/27-28/00002', 'INV/27-28/00003'])
})

t.test('concurrent creation: unique, gapless numbers from several connections to one SQLite file', { skip: onPostgresNow() && 'worker threads open the SQLite file itself; on PostgreSQL test/scale/postgres-site.test.ts races two processes' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'billing-numbers-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'app.db')
  const now = ist('2026-06-15T12:00')
  const s = await buildTestApp({ databasePath: path }, { now: () => now })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const seeded = await seedBusiness(s.app, alice.id)

  // The app's own connection creates invoices concurrently through HTTP, while
  // three worker threads, each with its own connection to the file, do the same.
  const WORKERS = 3
  const PER_WORKER = 25
  const workers = Array.from(
    { length: WORKERS },
    () =>
      new Worker(new URL('./fixtures/number-worker.mjs', import.meta.url), {
        workerData: { path, userId: alice.id, customerId: seeded.local.id, productId: seeded.widget.id, count: PER_WORKER, now },
      }),
  )
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once('message', resolve), w.once('error', reject)))))
  const results = workers.map(
    (w) => new Promise<string[]>((resolve, reject) => (w.once('message', resolve), w.once('error', reject))),
  )
  for (const w of workers) w.postMessage('go')
  const HTTP = 25
  const viaHttp = await Promise.all(
    Array.from({ length: HTTP }, () =>
      s.app.inject({
        method: 'POST',
        url: '/api/billing/invoices',
        headers: bearer(alice),
        payload: { customer_id: seeded.local.id, lines: [{ product_id: seeded.widget.id, quantity: '1' }] },
      }),
    ),
  )
  const fromWorkers = (await Promise.all(results)).flat()
  for (const r of viaHttp) t.equal(r.statusCode, 201)
  const all = [...fromWorkers, ...viaHttp.map((r) => r.json().invoice.number as string)]
  const total = WORKERS * PER_WORKER + HTTP
  t.equal(all.length, total)
  t.equal(new Set(all).size, total, 'no number was given twice')
  const expected = Array.from({ length: total }, (_, i) => `INV/26-27/${String(i + 1).padStart(5, '0')}`)
  t.same([...all].sort(), expected, 'the numbers are 0001..N without a gap')
  // each connection saw its own numbers in increasing order
  const perWorker = fromWorkers.length / WORKERS
  for (let w = 0; w < WORKERS; w++) {
    const mine = fromWorkers.slice(w * perWorker, (w + 1) * perWorker)
    t.same(mine, [...mine].sort(), `worker ${w + 1} got increasing numbers`)
  }
  const [stored] = await sqlRows(s.app, sql`SELECT count(*) AS n, count(DISTINCT number) AS d FROM billing_invoices WHERE user_id = ${alice.id}`)
  t.same(stored, { n: total, d: total })
  const counter = await sqlValue(s.app, sql`SELECT last_number FROM billing_invoice_counters WHERE user_id = ${alice.id}`)
  t.equal(counter, total)
})

t.test('forms: profile, customers, products with validation; the invoice form and its live preview', async (t) => {
  const clock = clockAt('2026-05-10T09:00')
  const s = await buildTestApp({}, { now: () => clock.ms })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const br = await new Browser(s.app).login(alice.username, alice.password)

  let res = await br.get('/billing/invoices')
  t.equal(res.statusCode, 200)
  t.match(res.body, /business profile/, 'asks for the profile first')
  t.match(res.body, /href="\/billing\/invoices"[^>]*>Billing</, 'the nav links to billing')

  res = await br.post('/billing/profile', { legal_name: 'Acme <Traders>', gstin: '27AAPFU0939F1ZW', state_code: '27', address: 'Pune' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /check character/)
  res = await br.post('/billing/profile', { legal_name: 'Acme <Traders>', gstin: '29AAGCB7383J1Z4', state_code: '27', address: 'Pune' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /registered in state 29/)
  res = await br.post('/billing/profile', { legal_name: 'Acme <Traders>', gstin: '27aapfu0939f1zv', state_code: '27', address: 'Pune' })
  t.equal(res.statusCode, 200)
  t.match(res.body, /Saved/)
  t.match(res.body, /Acme &lt;Traders&gt;/, 'escaped')
  t.equal((await s.app.billing.getProfile(alice.id))!.gstin, '27AAPFU0939F1ZV', 'stored upper-case')

  res = await br.post('/billing/customers', { name: '', gstin: '12345', state_code: 'xx', email: 'nope' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /A name is required/)
  t.match(res.body, /15 characters/)
  t.match(res.body, /Choose a state/)
  t.match(res.body, /email address/)
  res = await br.post('/billing/customers', { name: 'Local <b>Buyer</b>', gstin: '', state_code: '27', address: 'Mumbai', email: 'buyer@example.com' })
  t.equal(res.statusCode, 303)
  res = await br.post('/billing/customers', { name: 'Bengaluru Buyer', gstin: gstin('29', 'AAGCB7383J'), state_code: '29', address: '', email: '' })
  t.equal(res.statusCode, 303)
  const [bengaluru, local] = await s.app.billing.listCustomers(alice.id)
  t.equal(local!.name, 'Local <b>Buyer</b>')
  res = await br.get('/billing/customers?q=benga')
  t.match(res.body, /Bengaluru Buyer/)
  t.notMatch(res.body, /Local &lt;b&gt;/, 'search filters')
  res = await br.get('/billing/customers?q=benga', { 'hx-request': 'true', 'hx-target': 'tbody#customers-rows' })
  t.match(res.body, /^<tbody id="customers-rows">/, 'the search box gets only the rows')
  res = await br.post(`/billing/customers/${local!.id}`, { name: 'Local Buyer', gstin: '', state_code: '27', address: 'Thane', email: '' })
  t.equal(res.statusCode, 303)
  t.equal((await s.app.billing.getCustomer(alice.id, local!.id))!.address, 'Thane', 'edited')

  res = await br.post('/billing/products', { name: 'Widget', hsn: '84', unit_price: 'ten', rate: '7' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /HSN\/SAC code/)
  t.match(res.body, /A price in rupees/)
  t.match(res.body, /One of 0, 0.25, 3, 5, 12, 18, 28, 40 %/)
  t.equal((await br.post('/billing/products', { name: 'Widget', hsn: '8471', unit_price: '500', rate: '18' })).statusCode, 303)
  t.equal((await br.post('/billing/products', { name: 'Gold coin', hsn: '7118', unit_price: '1,00,000', rate: '3' })).statusCode, 303)
  const [gold, widget] = await s.app.billing.listProducts(alice.id)
  t.equal(gold!.unitPricePaise, 1_00_000_00)
  res = await br.get('/billing/products?q=84')
  t.match(res.body, /Widget/)
  t.notMatch(res.body, /Gold coin/)

  res = await br.get('/billing/invoices/new')
  t.equal(res.statusCode, 200)
  t.match(res.body, /hx-post="\/billing\/invoices\/preview" hx-trigger="input changed delay:200ms"/, 'totals follow the typing')
  t.match(res.body, /value="2026-06-09"/, 'due in 30 days by default')

  // the live preview: intra-state, 2 widgets (₹1,000) less 10 % + 1 gold coin
  const form = {
    customer_id: String(local!.id),
    due_date: '2026-06-09',
    product_id: [String(widget!.id), String(gold!.id), ''],
    quantity: ['2', '1', ''],
    unit_price: ['', '', ''],
    discount: ['10', '', ''],
  }
  const post = (url: string, body: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    s.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams([
        ['_csrf', br.csrf],
        ...Object.entries(body).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
      ] as string[][]).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: br.cookieHeader, ...headers },
    })
  res = await post('/billing/invoices/preview', form, { 'hx-request': 'true' })
  t.equal(res.statusCode, 200)
  // widget: 1,000.00 - 100.00 = 900.00; CGST 9 % 81.00, SGST 81.00
  // gold: 1,00,000.00; CGST 1.5 % 1,500.00, SGST 1,500.00
  t.match(res.body, /^\s*<section id="invoice-totals"/)
  t.match(res.body, /Intra-state supply \(Maharashtra \(27\)\): CGST \+ SGST/)
  t.match(res.body, /id="total-taxable">₹1,00,900.00</)
  t.match(res.body, /id="total-cgst">₹1,581.00</)
  t.match(res.body, /id="total-sgst">₹1,581.00</)
  t.match(res.body, /id="total-grand">₹1,04,062.00</)
  t.match(res.body, /id="line-amount-0" hx-swap-oob="true">₹1,062.00</)
  t.match(res.body, /id="line-amount-1" hx-swap-oob="true">₹1,03,000.00</)
  t.match(res.body, /id="line-amount-2" hx-swap-oob="true"><\/span>/, 'the blank line has no amount')
  // inter-state by place of supply
  res = await post('/billing/invoices/preview', { ...form, place_of_supply: '29' }, { 'hx-request': 'true' })
  t.match(res.body, /Inter-state supply to Karnataka \(29\): IGST/)
  t.match(res.body, /id="total-igst">₹3,162.00</)
  // add and remove lines
  res = await post('/billing/invoices/lines', { ...form, add: '1' }, { 'hx-request': 'true' })
  t.equal((res.body.match(/<tr class="line"/g) ?? []).length, 4, 'a line was added')
  t.match(res.body, /<section id="invoice-totals" class="totals" hx-swap-oob="true"/)
  res = await post('/billing/invoices/lines', { ...form, remove: '0' }, { 'hx-request': 'true' })
  t.equal((res.body.match(/<tr class="line"/g) ?? []).length, 2, 'a line was removed')
  t.match(res.body, /id="total-grand">₹1,03,000.00</)

  // errors come back on the form (422), nothing is written
  res = await post('/billing/invoices', { ...form, customer_id: '', quantity: ['0', '1', ''] })
  t.equal(res.statusCode, 422)
  t.match(res.body, /Choose a customer/)
  t.match(res.body, /Quantity: a number above 0/)
  res = await post('/billing/invoices', { ...form, due_date: '2026-05-01' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /cannot be before the invoice date/)
  t.equal((await s.app.billing.listInvoices(alice.id)).length, 0)

  // created through htmx: the invoice page comes back with its URL
  res = await post('/billing/invoices', { ...form, action: 'issue' }, { 'hx-request': 'true' })
  t.equal(res.statusCode, 200)
  const [invoice] = await s.app.billing.listInvoices(alice.id)
  t.equal(res.headers['hx-push-url'], `/billing/invoices/${invoice!.id}`)
  t.match(res.body, /INV\/26-27\/00001/)
  t.match(res.body, /Tax summary by rate/)
  t.match(res.body, /1.5 \+ 1.5/, 'CGST and SGST halves of 3 %')
  t.match(res.body, /id="invoice-total">₹1,04,062.00</)
  t.match(res.body, /Local Buyer/)
  t.match(invoice, { number: 'INV/26-27/00001', supply: 'intra', taxablePaise: 100900_00, cgstPaise: 1581_00, sgstPaise: 1581_00, totalPaise: 104062_00, roundOffPaise: 0 })

  // a draft, then the list filters
  res = await post('/billing/invoices', { ...form, action: 'draft' })
  t.equal(res.statusCode, 303)
  res = await br.get('/billing/invoices?status=draft')
  t.match(res.body, /Draft #2/)
  t.notMatch(res.body, /INV\/26-27\/00001/)
  res = await br.get('/billing/invoices?status=issued')
  t.match(res.body, /INV\/26-27\/00001/)
  t.notMatch(res.body, /Draft #2/)
  res = await br.get('/billing/invoices?status=bogus')
  t.equal(res.statusCode, 400)

  // the printable page
  res = await br.get(`/billing/invoices/${invoice!.id}`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /Mark paid/)
  t.match(res.body, /data-print/)

  // what an invoice refers to is not deleted; the rest may be
  res = await br.post(`/billing/customers/${local!.id}/delete`)
  t.equal(res.statusCode, 409)
  t.match(res.body, /on an invoice/)
  res = await br.post(`/billing/products/${gold!.id}/delete`)
  t.equal(res.statusCode, 409)
  t.equal((await br.post(`/billing/customers/${bengaluru!.id}/delete`)).statusCode, 303)
  await t.rejects(async () => s.app.billing.getCustomer(alice.id, bengaluru!.id), /You have no customer/, 'an unused customer is deleted')
  // deleting the draft frees the widget? no: the issued invoice still names it
  t.equal((await br.post('/billing/invoices/2/delete')).statusCode, 303)
  t.equal((await br.post(`/billing/invoices/${invoice!.id}/delete`)).statusCode, 409, 'issued invoices are kept')
  t.equal((await br.post(`/billing/products/${widget!.id}/delete`)).statusCode, 409)

  // editing a customer later does not change the issued invoice
  await br.post(`/billing/customers/${local!.id}`, { name: 'Renamed Buyer', gstin: '', state_code: '27', address: '', email: '' })
  res = await br.get(`/billing/invoices/${invoice!.id}`)
  t.match(res.body, /Local Buyer/)
  t.notMatch(res.body, /Renamed Buyer/)
})

t.test("isolation: nobody sees or changes another business's data (404)", async (t) => {
  const s = await buildTestApp({}, { now: () => ist('2026-07-01T12:00') })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const b = await seedBusiness(s.app, bob.id, 'Bob & Sons')
  const created = await s.app.billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }]), { issue: true })
  const invoiceId = created.id
  const bobBrowser = await new Browser(s.app).login(bob.username, bob.password)

  for (const url of [`/billing/invoices/${invoiceId}`, `/billing/customers/${a.local.id}/edit`, `/billing/products/${a.widget.id}/edit`]) {
    const res = await bobBrowser.get(url)
    t.equal(res.statusCode, 404, `bob gets 404 for ${url}`)
    t.notMatch(res.body, /Local Buyer|Widget|INV\//)
  }
  for (const url of [`/billing/invoices/${invoiceId}/paid`, `/billing/invoices/${invoiceId}/issue`, `/billing/invoices/${invoiceId}/delete`, `/billing/customers/${a.local.id}/delete`, `/billing/products/${a.widget.id}/delete`]) {
    t.equal((await bobBrowser.post(url)).statusCode, 404, `bob cannot POST ${url}`)
  }
  t.equal((await bobBrowser.post(`/billing/customers/${a.local.id}`, { name: 'Hijacked', state_code: '27' })).statusCode, 404)
  t.equal((await bobBrowser.post(`/billing/products/${a.widget.id}`, { name: 'Hijacked', hsn: '8471', unit_price: '1', rate: '5' })).statusCode, 404)
  t.equal((await s.app.billing.getCustomer(alice.id, a.local.id))!.name, 'Local Buyer', 'unchanged')

  let res = await s.app.inject({ method: 'GET', url: `/api/billing/invoices/${invoiceId}`, headers: bearer(bob) })
  t.equal(res.statusCode, 404)
  t.same(res.json(), { error: 'not_found', message: `You have no invoice ${invoiceId}` })
  res = await s.app.inject({ method: 'POST', url: `/api/billing/invoices/${invoiceId}/paid`, headers: bearer(bob) })
  t.equal(res.statusCode, 404)
  t.equal((await s.app.billing.getInvoice(alice.id, invoiceId))!.status, 'issued', 'still unpaid')
  // bob cannot bill alice's customer or product
  res = await s.app.inject({ method: 'POST', url: '/api/billing/invoices', headers: bearer(bob), payload: { customer_id: a.local.id, lines: [{ product_id: b.widget.id }] } })
  t.equal(res.statusCode, 422)
  t.match(res.json().message, /customer_id/)
  res = await s.app.inject({ method: 'POST', url: '/api/billing/invoices', headers: bearer(bob), payload: { customer_id: b.local.id, lines: [{ product_id: a.widget.id }] } })
  t.equal(res.statusCode, 422)
  t.match(res.json().message, /line_0/)
  // bob's preview ignores alice's product
  res = await bobBrowser.post('/billing/invoices/preview', { customer_id: String(a.local.id), product_id: String(a.widget.id), quantity: '1', unit_price: '', discount: '' })
  t.match(res.body, /id="total-grand">₹0.00</)
  // lists and searches
  res = await bobBrowser.get('/billing/invoices')
  t.notMatch(res.body, /INV\//)
  res = await bobBrowser.get('/billing/invoices/new')
  t.equal((res.body.match(/Local Buyer/g) ?? []).length, 1, "only bob's own Local Buyer")
  t.notMatch(res.body, new RegExp(`<option value="${a.local.id}"`))
  res = await s.app.inject({ method: 'GET', url: '/api/billing/invoices', headers: bearer(bob) })
  t.same(res.json(), { invoices: [] })
  res = await s.app.inject({ method: 'GET', url: '/api/billing/invoices', headers: bearer(alice) })
  t.equal(res.json().invoices.length, 1)
  // anonymous
  res = await s.app.inject({ method: 'GET', url: '/api/billing/invoices' })
  t.equal(res.statusCode, 401)
  res = await s.app.inject({ method: 'GET', url: '/billing/invoices' })
  t.equal(res.statusCode, 302)
})

t.test("invoice_created and invoice_paid reach the owner's sockets and nobody else's", async (t) => {
  const s = await buildTestApp({}, { now: () => ist('2026-08-14T12:00') })
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  await seedBusiness(s.app, bob.id)
  const a1 = await connectReady(url, { token: alice.token })
  const a2 = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  t.teardown(async () => {
    for (const c of [a1.client, a2.client, b.client]) await c.close()
  })

  const bobMark = b.client.mark()
  let res = await s.app.inject({
    method: 'POST',
    url: '/api/billing/invoices',
    headers: bearer(alice),
    payload: { customer_id: a.remote.id, due_date: '2026-09-01', lines: [{ product_id: a.widget.id, quantity: 2, discount: '5' }, { product_id: a.service.id, unit_price: '999.99' }] },
  })
  t.equal(res.statusCode, 201)
  const invoice = res.json().invoice
  // widget: 2 x 500 = 1,000.00 - 5 % = 950.00, IGST 18 % = 171.00
  // service: 999.99, IGST 5 % = 49.9995 -> 50.00
  // 950 + 171 + 999.99 + 50 = 2,170.99 -> 2,171, round off +0.01
  t.match(invoice, { number: 'INV/26-27/00001', status: 'issued', supply: 'inter', taxable_paise: 194999, igst_paise: 22100, cgst_paise: 0, round_off_paise: 1, total_paise: 217100 })
  for (const c of [a1.client, a2.client]) {
    const f = await c.next('notification')
    t.match(f.notification, {
      kind: 'invoice_created',
      title: 'Invoice INV/26-27/00001 created',
      message: '₹2,171.00 to Remote Buyer, due 2026-09-01',
      link_url: `/billing/invoices/${invoice.id}`,
      link_text: 'View invoice',
      icon: 'invoice',
    })
    t.equal(f.unread_count, 1)
    t.match(f.content, /Invoice INV\/26-27\/00001 created/, 'the toast rides along')
    t.match(f.content, /id="notif-badge"/)
  }
  t.same(await b.client.since(bobMark, 200), [], 'bob got nothing')

  res = await s.app.inject({ method: 'POST', url: `/api/billing/invoices/${invoice.id}/paid`, headers: bearer(alice) })
  t.equal(res.statusCode, 200)
  t.equal(res.json().invoice.status, 'paid')
  for (const c of [a1.client, a2.client]) {
    const f = await c.next('notification')
    t.match(f.notification, { kind: 'invoice_paid', title: 'Invoice INV/26-27/00001 paid', message: '₹2,171.00 from Remote Buyer', link_url: `/billing/invoices/${invoice.id}` })
    t.equal(f.unread_count, 2)
  }
  let aliceMark = a1.client.mark()
  res = await s.app.inject({ method: 'POST', url: `/api/billing/invoices/${invoice.id}/paid`, headers: bearer(alice) })
  t.equal(res.statusCode, 409, 'paid twice is a conflict')
  t.same(await a1.client.since(aliceMark, 150, 'notification'), [], 'and notifies nothing')
  t.same(await b.client.since(bobMark, 50), [], 'bob still got nothing')
  // drafts notify nothing until issued
  aliceMark = a1.client.mark()
  res = await s.app.inject({ method: 'POST', url: '/api/billing/invoices', headers: bearer(alice), payload: { customer_id: a.local.id, issue: false, lines: [{ product_id: a.widget.id }] } })
  t.equal(res.json().invoice.status, 'draft')
  t.same(await a1.client.since(aliceMark, 150, 'notification'), [], 'a draft is not "created" yet')
  res = await s.app.inject({ method: 'POST', url: `/api/billing/invoices/${res.json().invoice.id}/paid`, headers: bearer(alice) })
  t.equal(res.statusCode, 409)
  t.match(res.json().message, /issue it first/)
})

t.test('a draft can be edited, then issued; issued invoices cannot be changed', async (t) => {
  const s = await buildTestApp({}, { now: () => ist('2026-12-01T12:00') })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const draft = await s.app.billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id, qty: 2, discountBps: 250 }], '2026-12-31'), { issue: false })
  const id = draft.id
  const br = await new Browser(s.app).login(alice.username, alice.password)

  let res = await br.get(`/billing/invoices/${id}`)
  t.match(res.body, new RegExp(`href="/billing/invoices/${id}/edit">Edit draft<`))
  res = await br.get(`/billing/invoices/${id}/edit`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /Edit draft #/)
  t.match(res.body, new RegExp(`action="/billing/invoices/${id}"`))
  t.match(res.body, /name="quantity" inputmode="decimal" value="2"/)
  t.match(res.body, /name="unit_price" inputmode="decimal" value="500.00"/)
  t.match(res.body, /name="discount" inputmode="decimal" value="2.5"/)
  t.match(res.body, /value="2026-12-31"/)
  t.equal((await new Browser(s.app).login(bob.username, bob.password).then((b) => b.get(`/billing/invoices/${id}/edit`))).statusCode, 404, 'not for bob')

  // save as draft: to Karnataka, 3 consulting days
  const form = { customer_id: String(a.remote.id), due_date: '2027-01-15', notes: 'Net 45', product_id: String(a.service.id), quantity: '3', unit_price: '', discount: '', action: 'draft' }
  res = await br.post(`/billing/invoices/${id}`, form)
  t.equal(res.statusCode, 303)
  let view = (await s.app.billing.getInvoice(alice.id, id))!
  t.match(view.invoice, { status: 'draft', number: null, buyerName: 'Remote Buyer', supply: 'inter', taxablePaise: 3000_00, igstPaise: 150_00, totalPaise: 3150_00, dueDate: '2027-01-15', notes: 'Net 45' })
  t.equal(view.lines.length, 1, 'the old lines were replaced')
  t.equal(await sqlValue(s.app, sql`SELECT count(*) FROM notifications WHERE kind = 'invoice_created'`), 0)

  res = await br.post(`/billing/invoices/${id}`, { ...form, quantity: '0' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /Quantity/)
  t.match(res.body, /Edit draft #/)

  res = await br.post(`/billing/invoices/${id}`, { ...form, action: 'issue' })
  t.equal(res.statusCode, 303)
  view = (await s.app.billing.getInvoice(alice.id, id))!
  t.match(view.invoice, { status: 'issued', number: 'INV/26-27/00001' })
  t.equal(await sqlValue(s.app, sql`SELECT title FROM notifications WHERE kind = 'invoice_created' AND user_id = ${alice.id}`), 'Invoice INV/26-27/00001 created')
  t.equal((await br.get(`/billing/invoices/${id}/edit`)).statusCode, 409)
  t.equal((await br.post(`/billing/invoices/${id}`, form)).statusCode, 409, 'issued invoices never change')
  t.equal((await s.app.billing.getInvoice(alice.id, id))!.invoice.notes, 'Net 45')
})
