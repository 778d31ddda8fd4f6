/**
 * The monthly GSTR-1-style summary, worked by hand. Acme Traders is in
 * Maharashtra (27); the clock is 2 November 2026 (India), so the page opens on
 * October 2026. Eight invoices and four credit notes; which table each lands in,
 * and why, is written next to it, and every sum below is added up by hand.
 */
import t, { type Test } from 'tap'
import { Browser, buildTestApp, createUser } from '../helper.js'
import { draftOf, gstin, ist, seedBusiness } from './fixtures/seed.js'

const LOCAL = gstin('27', 'AABCL1234M')
const REMOTE = gstin('29', 'AABCR5678K')

async function october(t: Test) {
  const s = await buildTestApp({}, { now: () => ist('2026-11-02T10:00') })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const b = s.app.billing
  const a = await seedBusiness(s.app, alice.id) // widget ₹500 @ 18 % (8471, NOS), consulting ₹1,000 @ 5 % (998311, OTH)
  const kaWalkIn = await b.createCustomer(alice.id, { name: 'Mysuru walk-in', gstin: null, stateCode: '29', address: 'Mysuru', email: '' })
  const mhWalkIn = await b.createCustomer(alice.id, { name: 'Pune walk-in', gstin: null, stateCode: '27', address: 'Pune', email: '' })
  const berlin = await b.createCustomer(alice.id, { name: 'Berlin GmbH', gstin: null, stateCode: '96', address: 'Berlin', email: '' })
  const veg = await b.createProduct(alice.id, { name: 'Fresh vegetables', hsn: '0709', unitPricePaise: 40_00, rateBps: 0, unit: 'KGS', taxClass: 'exempt', cessBps: 0 })
  const on = (date: string) => ({ invoiceDate: date })
  const issue = async (customerId: number, lines: Parameters<typeof draftOf>[1], more: Parameters<typeof draftOf>[3]) => b.createInvoice(alice.id, draftOf(customerId, lines, null, more), { issue: true })

  // I1 INV/26-27/00001, 1 Oct, registered Maharashtra buyer: B2B. 2 x 500 = 1,000; CGST 9 % 90 + SGST 9 % 90 = 1,180.
  const i1 = await issue(a.local.id, [{ productId: a.widget.id, qty: 2 }], on('2026-10-01'))
  // I2 /00002, 3 Oct, registered Karnataka buyer: B2B, two rates. 500 @ 18 % IGST 90; 1,000 @ 5 % IGST 50; 1,640.
  const i2 = await issue(a.remote.id, [{ productId: a.widget.id }, { productId: a.service.id }], on('2026-10-03'))
  // I3 /00003, 5 Oct, unregistered Karnataka (inter-state) at ₹84,745.76: IGST 18 % = 15,254.2368 -> 15,254.24;
  // total exactly 1,00,000.00, which is not ABOVE ₹1,00,000: B2C small.
  const i3 = await issue(kaWalkIn.id, [{ productId: a.widget.id, price: 84_745_76 }], on('2026-10-05'))
  // I4 /00004, 6 Oct, same buyer at ₹84,747.00: IGST 15,254.46, 1,00,001.46 -> 1,00,001.00 (round off -0.46): B2C large.
  const i4 = await issue(kaWalkIn.id, [{ productId: a.widget.id, price: 84_747_00 }], on('2026-10-06'))
  // I5 /00005, 7 Oct, unregistered Maharashtra buyer at ₹2,00,000: CGST 18,000 + SGST 18,000 = 2,36,000, far
  // above ₹1,00,000 but intra-state: B2C small.
  const i5 = await issue(mhWalkIn.id, [{ productId: a.widget.id, price: 2_00_000_00 }], on('2026-10-07'))
  // I6 /00006, 8 Oct, registered local buyer: 10 KGS exempt vegetables 400 (table 8, intra-state registered) and a
  // widget 500 + 45 + 45 (B2B at 18 %); value 990.
  const i6 = await issue(a.local.id, [{ productId: veg.id, qty: 10 }, { productId: a.widget.id }], on('2026-10-08'))
  // I7 /00007, 9 Oct, export (place of supply 96) under LUT: 3 x 1,000 at 5 % with no IGST = 3,000: exports, WOPAY.
  const i7 = await issue(berlin.id, [{ productId: a.service.id, qty: 3 }], { ...on('2026-10-09'), lut: true })
  // I8 /00008, 10 Oct, cancelled: in no table.
  const i8 = await issue(a.remote.id, [{ productId: a.widget.id, qty: 9 }], on('2026-10-10'))
  await b.cancelInvoice(alice.id, i8.id, 'Wrong buyer')

  const lineOf = async (invoiceId: number, position: number) => (await b.getInvoice(alice.id, invoiceId)).lines[position - 1]!.id
  const credit = async (invoiceId: number, position: number, qty: number, date: string) =>
    b.issueNote(alice.id, invoiceId, { kind: 'credit', noteDate: date, reason: 'Returned', lines: [{ invoiceLineId: await lineOf(invoiceId, position), quantityMilli: qty * 1000 }] })
  // N1 CN/26-27/00001, 20 Oct, 1 widget of I1 back: 500 + 45 + 45 = 590: CDNR (registered buyer).
  const n1 = await credit(i1.id, 1, 1, '2026-10-20')
  // N2 CN/26-27/00002, 25 Oct, all of I4: 84,747 + 15,254.46 = 1,00,001.46 -> 1,00,001: CDNUR, type B2CL.
  const n2 = await credit(i4.id, 1, 1, '2026-10-25')
  // N3 CN/26-27/00003, 26 Oct, half a unit of I5: 1,00,000 + 9,000 + 9,000: I5 was B2C small, so it is netted there.
  const n3 = await credit(i5.id, 1, 0.5, '2026-10-26')
  // N4 CN/26-27/00004, 1 Nov, the consulting line of the October invoice I2: 1,000 + IGST 50 = 1,050: November's CDNR.
  const n4 = await credit(i2.id, 2, 1, '2026-11-01')
  return { s, alice, bob, b, invoices: { i1, i2, i3, i4, i5, i6, i7, i8 }, notes: { n1, n2, n3, n4 } }
}

t.test('October: every document in its table, with the sums worked by hand', async (t) => {
  const { alice, b, invoices: i, notes: n } = await october(t)
  t.same(
    [i.i1, i.i2, i.i3, i.i4, i.i5, i.i6, i.i7].map((x) => x.totalPaise),
    [1180_00, 1640_00, 1_00_000_00, 1_00_001_00, 2_36_000_00, 990_00, 3000_00],
    'the invoice values worked out above',
  )
  const s = await b.gstr1(alice.id, '2026-10')
  t.equal(s.empty, false)

  // B2B by GSTIN, 27… before 29…: the local buyer's I1 and I6, the Karnataka buyer's I2 (two rates).
  t.same(
    s.b2b.map((g) => [g.gstin, g.invoices.map((x) => x.number)]),
    [
      [LOCAL, ['INV/26-27/00001', 'INV/26-27/00006']],
      [REMOTE, ['INV/26-27/00002']],
    ],
  )
  const rate = (rateBps: number, taxablePaise: number, igstPaise: number, cgstPaise: number, sgstPaise: number) => ({ rateBps, taxablePaise, igstPaise, cgstPaise, sgstPaise, cessPaise: 0 })
  t.match(s.b2b[0]!.invoices[0], { date: '2026-10-01', valuePaise: 1180_00, placeOfSupply: '27', reverseCharge: false, type: 'Regular B2B', rates: [rate(1800, 1000_00, 0, 90_00, 90_00)] })
  t.same(s.b2b[0]!.invoices[1]!.rates, [rate(1800, 500_00, 0, 45_00, 45_00)], 'I6: the exempt line is not a rate row')
  t.same(s.b2b[1]!.invoices[0]!.rates, [rate(500, 1000_00, 50_00, 0, 0), rate(1800, 500_00, 90_00, 0, 0)])

  // B2C large: only I4 (₹1,00,001 > ₹1,00,000). I3 at exactly ₹1,00,000 and the intra-state I5 are not.
  t.same(
    s.b2cl.map((x) => [x.number, x.valuePaise, x.placeOfSupply, x.rates]),
    [['INV/26-27/00004', 1_00_001_00, '29', [rate(1800, 84_747_00, 15_254_46, 0, 0)]]],
  )
  // B2C small, by place of supply: 27 @ 18 %: I5 2,00,000 / 18,000 / 18,000 less N3 1,00,000 / 9,000 / 9,000
  // = 1,00,000 / 9,000 / 9,000; 29 @ 18 %: I3 84,745.76 / IGST 15,254.24.
  t.same(s.b2cs, [
    { placeOfSupply: '27', ...rate(1800, 1_00_000_00, 0, 9_000_00, 9_000_00) },
    { placeOfSupply: '29', ...rate(1800, 84_745_76, 15_254_24, 0, 0) },
  ])
  t.same(
    s.b2csNotes.map((x) => [x.number, x.invoiceNumber]),
    [['CN/26-27/00003', 'INV/26-27/00005']],
  )

  // Exports: I7 under LUT, without payment: rate 5 %, taxable 3,000, no tax.
  t.same(
    s.exports.map((x) => [x.number, x.type, x.valuePaise, x.rates]),
    [['INV/26-27/00007', 'WOPAY', 3000_00, [rate(500, 3000_00, 0, 0, 0)]]],
  )

  // Notes dated in October: N1 (registered) and N2 (B2C large); N3 is in B2C small; N4 is November's.
  t.same(
    s.cdnr.map((x) => [x.number, x.kind, x.buyerGstin, x.invoiceNumber, x.valuePaise, x.rates]),
    [['CN/26-27/00001', 'credit', LOCAL, 'INV/26-27/00001', 590_00, [rate(1800, 500_00, 0, 45_00, 45_00)]]],
  )
  t.same(
    s.cdnur.map((x) => [x.number, x.urType, x.invoiceNumber, x.valuePaise]),
    [['CN/26-27/00002', 'B2CL', 'INV/26-27/00004', 1_00_001_00]],
  )
  t.equal(n.n4.noteDate, '2026-11-01')

  // Table 8: only I6's vegetables, intra-state to a registered buyer, exempt 400.
  t.same(
    s.nil.map((r) => [r.nilPaise, r.exemptPaise, r.nonGstPaise]),
    [
      [0, 0, 0],
      [0, 400_00, 0],
      [0, 0, 0],
      [0, 0, 0],
    ],
  )
  t.equal(s.nil[1]!.description, 'Intra-State supplies to registered persons')

  // HSN, net of October's notes:
  // 0709 KGS 0 %: I6 10 kg, 400.
  // 8471 NOS 18 %: quantity I1 2 + I2 1 + I3 1 + I4 1 + I5 1 + I6 1 = 7, less N1 1, N2 1, N3 0.5 = 4.5;
  //   taxable 1,000 + 500 + 84,745.76 + 84,747 + 2,00,000 + 500 = 3,71,492.76, less 500 + 84,747 + 1,00,000 = 1,86,245.76;
  //   IGST 90 + 15,254.24 + 15,254.46 - 15,254.46 = 15,344.24; CGST = SGST 90 + 18,000 + 45 - 45 - 9,000 = 9,090;
  //   value 1,86,245.76 + 15,344.24 + 9,090 + 9,090 = 2,19,770.00.
  // 998311 OTH 5 %: I2 1 + I7 3 = 4; taxable 1,000 + 3,000 = 4,000; IGST 50 (I7 under LUT has none); value 4,050.
  t.same(
    s.hsn.map((h) => [h.hsn, h.unit, h.rateBps, h.quantityMilli, h.valuePaise, h.taxablePaise, h.igstPaise, h.cgstPaise, h.sgstPaise]),
    [
      ['0709', 'KGS', 0, 10_000, 400_00, 400_00, 0, 0, 0],
      ['8471', 'NOS', 1800, 4_500, 2_19_770_00, 1_86_245_76, 15_344_24, 9_090_00, 9_090_00],
      ['998311', 'OTH', 500, 4_000, 4_050_00, 4_000_00, 50_00, 0, 0],
    ],
  )

  // The cancelled I8 is nowhere; November has N4 only (a note against an October invoice counts in its own month).
  t.notMatch(JSON.stringify(s), /INV\/26-27\/00008/)
  const nov = await b.gstr1(alice.id, '2026-11')
  t.same(
    nov.cdnr.map((x) => [x.number, x.invoiceNumber, x.invoiceDate, x.valuePaise, x.rates]),
    [['CN/26-27/00004', 'INV/26-27/00002', '2026-10-03', 1050_00, [rate(500, 1000_00, 50_00, 0, 0)]]],
  )
  t.same([nov.b2b, nov.b2cl, nov.b2cs, nov.exports, nov.cdnur], [[], [], [], [], []], 'no November invoice')
  // HSN for November: the credit note alone, negative.
  t.same(
    nov.hsn.map((h) => [h.hsn, h.quantityMilli, h.taxablePaise, h.igstPaise, h.valuePaise]),
    [['998311', -1000, -1000_00, -50_00, -1050_00]],
  )
})

t.test('the page and the CSVs: headings of the offline tool, Indian grouping, the owner only', async (t) => {
  const { s, alice, bob } = await october(t)
  const br = await new Browser(s.app).login(alice.username, alice.password)
  let res = await br.get('/billing/gstr1')
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h1>GSTR-1 summary: October 2026<\/h1>/, 'last month (India) by default')
  t.match(res.body, /<a href="\/billing\/gstr1" aria-current="page">GSTR-1 summary<\/a>/, 'in the billing menu')
  t.match(res.body, /id="gstr1-b2cl-\d+"[\s\S]*?INV\/26-27\/00004[\s\S]*?<td class="num">1,00,001\.00<\/td>/, 'Indian grouping')
  t.match(res.body, /<th scope="row">Maharashtra \(27\)<\/th><td class="num">18 %<\/td><td class="num">1,00,000\.00<\/td><td class="num">0\.00<\/td><td class="num">9,000\.00<\/td>/)
  t.match(res.body, /href="\/billing\/gstr1\/b2b\.csv\?month=2026-10" download/)
  t.notMatch(res.body, /id="gstr1-empty"/)

  res = await br.get('/billing/gstr1/b2b.csv?month=2026-10')
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(res.headers['content-disposition'], 'attachment; filename="gstr1-2026-10-b2b.csv"')
  t.equal(
    res.body,
    [
      'GSTIN/UIN of Recipient,Receiver Name,Invoice Number,Invoice date,Invoice Value,Place Of Supply,Reverse Charge,Applicable % of Tax Rate,Invoice Type,E-Commerce GSTIN,Rate,Taxable Value,Cess Amount',
      `${LOCAL},Local Buyer,INV/26-27/00001,01-Oct-2026,1180.00,27-Maharashtra,N,,Regular B2B,,18,1000.00,0.00`,
      `${LOCAL},Local Buyer,INV/26-27/00006,08-Oct-2026,990.00,27-Maharashtra,N,,Regular B2B,,18,500.00,0.00`,
      `${REMOTE},Remote Buyer,INV/26-27/00002,03-Oct-2026,1640.00,29-Karnataka,N,,Regular B2B,,5,1000.00,0.00`,
      `${REMOTE},Remote Buyer,INV/26-27/00002,03-Oct-2026,1640.00,29-Karnataka,N,,Regular B2B,,18,500.00,0.00`,
      '',
    ].join('\r\n'),
  )
  res = await br.get('/billing/gstr1/b2cs.csv?month=2026-10')
  t.equal(res.body, 'Type,Place Of Supply,Applicable % of Tax Rate,Rate,Taxable Value,Cess Amount,E-Commerce GSTIN\r\nOE,27-Maharashtra,,18,100000.00,0.00,\r\nOE,29-Karnataka,,18,84745.76,0.00,\r\n')
  res = await br.get('/billing/gstr1/cdnur.csv?month=2026-10')
  t.match(res.body, /\r\nB2CL,CN\/26-27\/00002,25-Oct-2026,C,29-Karnataka,100001\.00,,18,84747\.00,0\.00\r\n$/)
  res = await br.get('/billing/gstr1/exp.csv?month=2026-10')
  t.match(res.body, /\r\nWOPAY,INV\/26-27\/00007,09-Oct-2026,3000\.00,,,,5,3000\.00,0\.00\r\n$/)
  res = await br.get('/billing/gstr1/hsn.csv?month=2026-10')
  t.match(res.body, /\r\n8471,Widget,NOS-NUMBERS,4\.5,219770\.00,18,186245\.76,15344\.24,9090\.00,9090\.00,0\.00\r\n/)
  res = await br.get('/billing/gstr1/exemp.csv?month=2026-10')
  t.match(res.body, /\r\nIntra-State supplies to registered persons,0\.00,400\.00,0\.00\r\n/)
  t.equal((await br.get('/billing/gstr1/gstr3b.csv?month=2026-10')).statusCode, 400, 'only the tables of the summary')
  t.equal((await br.get('/billing/gstr1/b2b.csv?month=2026-13')).statusCode, 400, 'a month that is not one')
  t.equal((await br.get('/billing/gstr1/hsn.csv')).headers['content-disposition'], 'attachment; filename="gstr1-2026-10-hsn.csv"', 'no month: last month')

  // A month with nothing: the empty state, each CSV its heading row alone.
  res = await br.get('/billing/gstr1?month=2026-09')
  t.match(res.body, /<p class="empty-state" id="gstr1-empty">Nothing was issued in September 2026/)
  for (const table of ['b2b', 'b2cl', 'b2cs', 'cdnr', 'cdnur', 'exp', 'exemp', 'hsn']) {
    const body = (await br.get(`/billing/gstr1/${table}.csv?month=2026-09`)).body
    t.equal(body.split('\r\n').length, 2, `${table}.csv: the headings and nothing else`)
  }
  res = await br.get('/billing/gstr1?month=2026-13')
  t.equal(res.statusCode, 422)
  t.match(res.body, /id="month-error">A month like 2026-10\./)

  // Bob sees his own (empty) summary of the same month, nothing of Alice's.
  const other = await new Browser(s.app).login(bob.username, bob.password)
  res = await other.get('/billing/gstr1?month=2026-10')
  t.equal(res.statusCode, 200)
  t.match(res.body, /id="gstr1-empty"/)
  t.notMatch(res.body, /INV\/26-27|CN\/26-27|Local Buyer/)
  t.equal((await other.get('/billing/gstr1/b2b.csv?month=2026-10')).body.split('\r\n').length, 2)
  t.equal((await s.app.inject({ url: '/billing/gstr1' })).statusCode, 302, 'logged out: to the login page')
})
