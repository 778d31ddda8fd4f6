/**
 * Issue 14 through the pages and the service: Rule 46 fields on the printed
 * invoice, UTGST, bills of supply, exports under LUT, the unregistered-buyer
 * address rule, chosen invoice dates, limits, payments and cancellation.
 * Every figure is worked by hand in the comments.
 */
import t, { type Test } from 'tap'
import { bearer, Browser, buildTestApp, connectReady, createUser } from '../helper.js'
import { pdfText } from './fixtures/pdf-text.js'
import { draftOf, gstin, ist, seedBusiness } from './fixtures/seed.js'

async function setup(t: Test, at: string) {
  const clock = { ms: ist(at) }
  const s = await buildTestApp({}, { now: () => clock.ms })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const br = await new Browser(s.app).login(alice.username, alice.password)
  return { s, clock, alice, br }
}

async function fields(fn: () => Promise<unknown>) {
  try {
    await fn()
  } catch (err) {
    return (err as { fields?: Record<string, string> }).fields ?? { thrown: String(err) }
  }
  return {}
}

t.test('the printed invoice: unit, reverse charge, ship-to, signatory, copies, discount amount, words, HSN summary, UTGST', async (t) => {
  const { s, alice, br } = await setup(t, '2026-11-02T10:00')
  // A Chandigarh business (04, a union territory without a legislature) selling in Chandigarh.
  let res = await br.post('/billing/profile', { legal_name: 'Sector 17 Traders', gstin: gstin('04'), state_code: '04', address: '', signatory: 'Priya Shah, Partner' })
  t.equal(res.statusCode, 422, 'the supplier address is required')
  t.match(res.body, /The address is required/)
  res = await br.post('/billing/profile', { legal_name: 'Sector 17 Traders', gstin: gstin('04'), state_code: '04', address: 'SCO 12, Sector 17, Chandigarh', signatory: 'Priya Shah, Partner' })
  t.equal(res.statusCode, 200)
  res = await br.post('/billing/products', { name: 'Basmati rice', hsn: '1006', unit_price: '120', rate: '5', unit: 'KGX', tax_class: 'taxable', cess: '' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /Choose a unit from the GST list/)
  res = await br.post('/billing/products', { name: 'Basmati rice', hsn: '1006', unit_price: '120', rate: '5', unit: 'KGS', tax_class: 'exempt', cess: '' })
  t.match(res.body, /Nil-rated, exempt and non-GST supplies carry 0 % GST/)
  t.equal((await br.post('/billing/products', { name: 'Basmati rice', hsn: '1006', unit_price: '120', rate: '5', unit: 'KGS', tax_class: 'taxable', cess: '' })).statusCode, 303)
  t.equal((await br.post('/billing/customers', { name: 'Cafe Capitol', gstin: gstin('04', 'AABCC1234D'), state_code: '04', address: 'Sector 22', email: '' })).statusCode, 303)
  const [rice] = await s.app.billing.listProducts(alice.id)
  const [cafe] = await s.app.billing.listCustomers(alice.id)

  // 2.5 KGS x ₹120 = 300.00, less 10 % = 30.00 -> 270.00; CGST 2.5 % 6.75 + UTGST 2.5 % 6.75 = 283.50 -> 284.00 (+0.50)
  res = await br.post('/billing/invoices', {
    customer_id: String(cafe!.id),
    product_id: String(rice!.id),
    quantity: '2.5',
    unit_price: '',
    discount: '10',
    reverse_charge: 'yes',
    ship_to_address: 'Godown 4, Industrial Area Phase 1',
    action: 'issue',
  })
  t.equal(res.statusCode, 303)
  const [invoice] = await s.app.billing.listInvoices(alice.id)
  // reverse charge: the recipient owes the value only, 270.00; the tax (13.50) is shown as theirs to pay
  t.match(invoice, { number: 'INV/26-27/00001', taxablePaise: 270_00, cgstPaise: 6_75, sgstPaise: 6_75, totalPaise: 270_00, reverseCharge: true })
  const page = (await br.get(`/billing/invoices/${invoice!.id}`)).body
  t.match(page, /<h1 class="document-title">Tax invoice<\/h1>/)
  t.match(page, /2\.5 KGS/, 'quantity with its UQC')
  t.match(page, /id="reverse-charge">Yes</)
  t.match(page, /id="ship-to">Godown 4, Industrial Area Phase 1</)
  t.match(page, /Authorised signatory: Priya Shah, Partner/)
  t.match(page, /SCO 12, Sector 17, Chandigarh/)
  t.match(page, /<th scope="col" class="num">UTGST ₹<\/th>/, 'UTGST, not SGST, in Chandigarh')
  t.notMatch(page, />SGST</)
  t.match(page, /<td class="num">30\.00 <span class="muted">\(10 %\)<\/span><\/td>/, 'the discount as an amount')
  t.match(page, /id="amount-words">Rupees Two Hundred Seventy Only</)
  t.match(page, /Tax payable by the recipient \(reverse charge\)<\/th><td class="num">₹13\.50/)
  t.match(page, /HSN\/SAC summary[\s\S]*<td class="mono">1006<\/td><td class="num">2\.5 KGS<\/td><td class="num">5 %<\/td><td class="num">270\.00<\/td><td class="num">13\.50<\/td>/)
  for (const copy of ['Original for recipient', 'Duplicate for transporter', 'Triplicate for supplier']) t.match(page, new RegExp(`<p class="copy-mark">${copy}</p>`))
  t.equal((page.match(/id="invoice-total"/g) ?? []).length, 1, 'ids only on the on-screen copy')
})

t.test('a bill of supply when nothing is taxable; exports under LUT; 40 % and cess', async (t) => {
  const { s, alice, br } = await setup(t, '2026-11-02T10:00')
  const a = await seedBusiness(s.app, alice.id)
  const billing = s.app.billing
  const fresh = await billing.createProduct(alice.id, { name: 'Fresh vegetables', hsn: '0709', unitPricePaise: 40_00, rateBps: 0, unit: 'KGS', taxClass: 'exempt', cessBps: 0 })
  const exempt = await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: fresh.id, qty: 10 }]), { issue: true })
  // 10 KGS x ₹40 = 400.00, no tax
  t.match(exempt, { totalPaise: 400_00, cgstPaise: 0 })
  let res = await br.get(`/billing/invoices/${exempt.id}`)
  t.match(res.body, /<h1 class="document-title">Bill of supply<\/h1>/, 'Rule 49')
  t.match(res.body, /<td class="num">Exempt<\/td>/)

  // An export: a buyer abroad (96), no GSTIN, under LUT: ₹1,000 x 3 at 18 % with no IGST = 3,000.00
  res = await br.post('/billing/customers', { name: 'Berlin GmbH', gstin: gstin('29', 'AABCB1234E'), state_code: '96', address: 'Berlin', email: '' })
  t.match(res.body, /A buyer abroad has no GSTIN/)
  const berlin = await billing.createCustomer(alice.id, { name: 'Berlin GmbH', gstin: null, stateCode: '96', address: 'Berlin', email: '' })
  const lut = await billing.createInvoice(alice.id, draftOf(berlin.id, [{ productId: a.service.id, qty: 3 }], null, { lut: true }), { issue: true })
  t.match(lut, { placeOfSupply: '96', supply: 'inter', igstPaise: 0, totalPaise: 3000_00, lut: true })
  t.match((await br.get(`/billing/invoices/${lut.id}`)).body, /Supply under LUT\/bond without payment of IGST/)
  // with IGST paid instead: consulting 5 % of 3,000 = 150.00
  t.match(await billing.createInvoice(alice.id, draftOf(berlin.id, [{ productId: a.service.id, qty: 3 }]), { issue: true }), { igstPaise: 150_00, totalPaise: 3150_00 })
  // LUT is for exports and zero-rated lines only
  t.match(await fields(async () => billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }], null, { lut: true }), { issue: true })), { lut: /exports/ })

  // 40 % with 15 % cess, to Karnataka: 1 x ₹2,00,000 -> IGST 80,000 + cess 30,000 = 3,10,000
  const luxury = await billing.createProduct(alice.id, { name: 'Yacht tender', hsn: '8903', unitPricePaise: 2_00_000_00, rateBps: 4000, unit: 'NOS', taxClass: 'taxable', cessBps: 1500 })
  const big = await billing.createInvoice(alice.id, draftOf(a.remote.id, [{ productId: luxury.id }]), { issue: true })
  t.match(big, { igstPaise: 80_000_00, cessPaise: 30_000_00, totalPaise: 3_10_000_00 })
  res = await br.get(`/billing/invoices/${big.id}`)
  t.match(res.body, /<th scope="row">Cess<\/th><td class="num">₹30,000\.00/)
  t.match(res.body, /Rupees Three Lakh Ten Thousand Only/)
  // through the product form too
  res = await br.post('/billing/products', { name: 'Cola', hsn: '2202', unit_price: '40', rate: '40', unit: 'BTL', tax_class: 'taxable', cess: '301' })
  t.match(res.body, /Cess: a percentage from 0 to 300/)
  t.equal((await br.post('/billing/products', { name: 'Cola', hsn: '2202', unit_price: '40', rate: '40', unit: 'BTL', tax_class: 'taxable', cess: '12' })).statusCode, 303)
})

t.test('an unregistered buyer of ₹50,000 or more needs an address (Rule 46(f))', async (t) => {
  const { s, alice } = await setup(t, '2026-11-02T10:00')
  const a = await seedBusiness(s.app, alice.id)
  const billing = s.app.billing
  const walkIn = await billing.createCustomer(alice.id, { name: 'Walk-in buyer', gstin: null, stateCode: '27', address: '', email: '' })
  // 84 widgets x ₹500 = 42,000 + 18 % 7,560 = 49,560: below ₹50,000, no address needed
  t.match(await billing.createInvoice(alice.id, draftOf(walkIn.id, [{ productId: a.widget.id, qty: 84 }]), { issue: true }), { totalPaise: 49_560_00 })
  // 85 x ₹500 = 42,500 + 7,650 = 50,150: refused, nothing written
  t.match(await fields(async () => billing.createInvoice(alice.id, draftOf(walkIn.id, [{ productId: a.widget.id, qty: 85 }]), { issue: true })), { customer_id: /needs an address/ })
  t.equal((await billing.listInvoices(alice.id)).length, 1)
  await billing.updateCustomer(alice.id, walkIn.id, { name: 'Walk-in buyer', gstin: null, stateCode: '27', address: 'Flat 3, Kothrud, Pune', email: '' })
  t.match(await billing.createInvoice(alice.id, draftOf(walkIn.id, [{ productId: a.widget.id, qty: 85 }]), { issue: true }), { totalPaise: 50_150_00, buyerAddress: 'Flat 3, Kothrud, Pune' })
})

t.test('the invoice date: chosen, not in the future, not before the last issued; a draft takes the address of its issue day', async (t) => {
  const { s, clock, alice, br } = await setup(t, '2026-11-20T10:00')
  const a = await seedBusiness(s.app, alice.id)
  const billing = s.app.billing
  const first = await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }], null, { invoiceDate: '2026-11-15' }), { issue: true })
  t.match(first, { number: 'INV/26-27/00001', invoiceDate: '2026-11-15', dueDate: '2026-12-15' }, 'due 30 days after the chosen date')
  t.match(await fields(async () => billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }], null, { invoiceDate: '2026-11-21' }), { issue: true })), { invoice_date: /future/ })
  t.match(await fields(async () => billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }], null, { invoiceDate: '2026-11-14' }), { issue: true })), {
    invoice_date: /last invoice of 2026-27 is dated 2026-11-15/,
  })
  t.equal((await billing.listInvoices(alice.id)).length, 1, 'refused: nothing written, no number used')
  t.match(await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }], null, { invoiceDate: '2026-11-15' }), { issue: true }), { number: 'INV/26-27/00002' }, 'the same day is fine')
  // through the form: the message is on the field
  const res = await br.post('/billing/invoices', { customer_id: String(a.local.id), product_id: String(a.widget.id), quantity: '1', invoice_date: '2027-01-01', action: 'issue' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /The invoice date cannot be in the future/)

  // a draft saved before the business moved is issued with the new address
  const draft = await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }]), { issue: false })
  t.equal(draft.sellerAddress, 'Pune')
  await billing.saveProfile(alice.id, { legalName: 'Acme Traders', gstin: gstin('27'), stateCode: '27', address: 'Plot 9, Hinjewadi, Pune', signatory: 'R. Rao, Director' })
  clock.ms = ist('2026-11-21T10:00')
  t.match(await billing.issueInvoice(alice.id, draft.id), { sellerAddress: 'Plot 9, Hinjewadi, Pune', sellerSignatory: 'R. Rao, Director', invoiceDate: '2026-11-21', number: 'INV/26-27/00003' })
})

t.test('limits: a million units with 3 decimals; a line above ₹10,000 crore is refused', async (t) => {
  const { s, alice, br } = await setup(t, '2026-11-02T10:00')
  const a = await seedBusiness(s.app, alice.id)
  const cheap = await s.app.billing.createProduct(alice.id, { name: 'Washer', hsn: '7318', unitPricePaise: 50, rateBps: 1800, unit: 'PCS', taxClass: 'taxable', cessBps: 0 })
  const post = (quantity: string, price = '') =>
    br.post('/billing/invoices', { customer_id: String(a.remote.id), product_id: String(cheap.id), quantity, unit_price: price, discount: '', action: 'issue' })
  // 10,00,000.000 washers x ₹0.50 = 5,00,000.00 + 18 % 90,000.00 = 5,90,000.00
  t.equal((await post('1000000.000')).statusCode, 303)
  t.match((await s.app.billing.listInvoices(alice.id))[0], { taxablePaise: 5_00_000_00, igstPaise: 90_000_00, totalPaise: 5_90_000_00 })
  let res = await post('1000000.001')
  t.equal(res.statusCode, 422)
  t.match(res.body, /up to 10,00,000/)
  t.match((await post('1.2345')).body, /3 decimals at most/)
  // 10,00,000 x ₹10 crore = ₹10,00,000 crore: far above ₹10,000 crore a line
  res = await post('1000000', '100000000')
  t.equal(res.statusCode, 422)
  t.match(res.body, /more than ₹10,000 crore/)
  t.equal((await s.app.billing.listInvoices(alice.id)).length, 1)
})

t.test('payments: partial, balance, overdue on the balance, paid in full notifies invoice_paid', async (t) => {
  const { s, clock, alice, br } = await setup(t, '2026-11-02T10:00')
  const url = await s.listen()
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const ac = await connectReady(url, { token: alice.token })
  const bc = await connectReady(url, { token: bob.token })
  t.teardown(async () => {
    await ac.client.close()
    await bc.client.close()
  })
  // 4 widgets: 2,000 + 18 % 360 = 2,360.00, due 2026-11-10
  const invoice = await s.app.billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id, qty: 4 }], '2026-11-10'), { issue: true })
  await ac.client.next('notification')
  const path = `/billing/invoices/${invoice.id}/payments`
  let res = await br.post(path, { paid_on: '2026-11-02', amount: '2400', mode: 'upi', reference: '' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /At most the balance due, ₹2,360\.00/)
  res = await br.post(path, { paid_on: '2026-11-03', amount: '100', mode: 'upi', reference: '' })
  t.match(res.body, /cannot be in the future/)
  res = await br.post(path, { paid_on: '2026-11-02', amount: '0', mode: 'barter', reference: '' })
  t.match(res.body, /An amount in rupees above 0/)
  t.match(res.body, /One of cash, upi, bank, cheque, card, other/)

  const aliceMark = ac.client.mark()
  const bobMark = bc.client.mark()
  res = await br.post(path, { paid_on: '2026-11-02', amount: '1000', mode: 'upi', reference: 'UTR 4411' })
  t.equal(res.statusCode, 303)
  let view = await s.app.billing.getInvoice(alice.id, invoice.id)
  // 2,360.00 - 1,000.00 = 1,360.00 due
  t.match(view, { status: 'partial', balancePaise: 1360_00 })
  t.match((await br.get(`/billing/invoices/${invoice.id}`)).body, /id="invoice-balance">₹1,360\.00</)
  t.match((await br.get('/billing/invoices?status=partial')).body, /INV\/26-27\/00001/)
  t.same(await ac.client.since(aliceMark, 150, 'notification'), [], 'a partial payment notifies nothing')

  // overdue on the balance
  clock.ms = ist('2026-11-11T09:00')
  t.equal(await s.app.billing.notifyOverdue(), 1)
  t.match((await ac.client.next('notification')).notification, { kind: 'invoice_overdue', message: '₹1,360.00 from Local Buyer was due on 2026-11-10' })
  t.equal((await s.app.billing.getInvoice(alice.id, invoice.id)).status, 'overdue')

  const beforePaid = ac.client.mark()
  res = await s.app.inject({ method: 'POST', url: `/api/billing/invoices/${invoice.id}/payments`, headers: bearer(alice), payload: { paid_on: '2026-11-11', amount: '1360', mode: 'bank', reference: 'NEFT 99' } })
  t.equal(res.statusCode, 201)
  t.match(res.json().invoice, { status: 'paid', paid_paise: 2360_00, balance_paise: 0 })
  const paid = await ac.client.since(beforePaid, 150, 'notification', 1)
  t.equal(paid.length, 1)
  t.match(paid[0]!.notification, { kind: 'invoice_paid', title: 'Invoice INV/26-27/00001 paid' })
  view = await s.app.billing.getInvoice(alice.id, invoice.id)
  t.same(
    view.payments.map((p) => [p.paidOn, p.amountPaise, p.mode, p.reference]),
    [
      ['2026-11-02', 1000_00, 'upi', 'UTR 4411'],
      ['2026-11-11', 1360_00, 'bank', 'NEFT 99'],
    ],
  )
  t.same(await bc.client.since(bobMark, 50), [], 'bob got nothing')
  res = await br.post(path, { paid_on: '2026-11-11', amount: '1', mode: 'cash', reference: '' })
  t.equal(res.statusCode, 409, 'nothing more to pay')
})

t.test('cancel an issued invoice: its number stays used and it shows as cancelled', async (t) => {
  const { s, alice, br } = await setup(t, '2026-11-02T10:00')
  const a = await seedBusiness(s.app, alice.id)
  const billing = s.app.billing
  const first = await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }]), { issue: true })
  let res = await br.post(`/billing/invoices/${first.id}/cancel`, { reason: '' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /Say why it is cancelled/)
  res = await br.post(`/billing/invoices/${first.id}/cancel`, { reason: 'Order withdrawn by the buyer' })
  t.equal(res.statusCode, 303)
  res = await br.get(`/billing/invoices/${first.id}`)
  t.match(res.body, /CANCELLED: Order withdrawn by the buyer/)
  t.match(res.body, /status-cancelled">Cancelled</)
  t.notMatch(res.body, /Record payment/)
  t.equal((await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }]), { issue: true })).number, 'INV/26-27/00002', 'the number stays used')
  t.equal((await br.post(`/billing/invoices/${first.id}/payments`, { paid_on: '2026-11-02', amount: '1', mode: 'cash' })).statusCode, 409)
  t.equal((await br.post(`/billing/invoices/${first.id}/cancel`, { reason: 'again' })).statusCode, 409)
  t.match((await br.get('/billing/invoices?status=cancelled')).body, /INV\/26-27\/00001/)
  // paid in part: a credit note is the way, not cancelling
  const second = (await billing.listInvoices(alice.id))[0]!
  await billing.recordPayment(alice.id, second.id, { paidOn: '2026-11-02', amountPaise: 100_00, mode: 'cash', reference: '' })
  res = await br.post(`/billing/invoices/${second.id}/cancel`, { reason: 'Mistake' })
  t.equal(res.statusCode, 409)
  t.match(res.body, /has payments/)
  t.equal(await billing.notifyOverdue(), 0)
})

t.test('the PDF: three copies of the printed page, made on the server', async (t) => {
  const { s, alice, br } = await setup(t, '2026-11-02T10:00')
  const a = await seedBusiness(s.app, alice.id)
  const bob = await createUser(s.app)
  // 2 widgets less 10 %: 1,000 - 100 = 900 + CGST 81 + SGST 81 = 1,062
  const invoice = await s.app.billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id, qty: 2, discountBps: 1000 }]), { issue: true })
  const res = await br.get(`/billing/invoices/${invoice.id}/pdf`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/pdf')
  t.match(res.headers['content-disposition'], 'attachment; filename="INV-26-27-00001.pdf"')
  const pdf = res.rawPayload.toString('latin1')
  t.match(pdf, /^%PDF-1\.\d/)
  t.equal((pdf.match(/\/Type \/Page\b/g) ?? []).length, 3, 'one page per copy')
  const text = pdfText(res.rawPayload)
  for (const wanted of ['ORIGINAL FOR RECIPIENT', 'DUPLICATE FOR TRANSPORTER', 'TRIPLICATE FOR SUPPLIER', 'INV/26-27/00001', '₹1,062.00', 'Discount', '100.00', 'Rupees One Thousand Sixty-Two Only', 'Authorised signatory: Priya Shah, Partner', '2 NOS', '8471']) {
    t.ok(text.includes(wanted), `the PDF says ${wanted}`)
  }
  const other = await new Browser(s.app).login(bob.username, bob.password)
  t.equal((await other.get(`/billing/invoices/${invoice.id}/pdf`)).statusCode, 404, "not bob's")
})
