/**
 * The GST arithmetic and identifiers of src/domains/billing/gst.ts, on cases
 * worked out by hand (amounts in paise; rates in basis points).
 */
import t from 'tap'
import { checkProduct, parseRate } from '../../src/domains/billing/forms/catalog.js'
import { readInvoiceForm } from '../../src/domains/billing/forms/invoice.js'
import { documentNumber, financialYear, indianDate } from '../../src/domains/billing/calendar.js'
import { computeInvoice, computeLine, roundToRupee, supplyType } from '../../src/domains/billing/gst.js'
import { formatPaise, parseRupees, parseScaled } from '../../src/domains/billing/money.js'
import { gstinCheckChar, gstinError, isValidGstin, normaliseGstin } from '../../src/domains/billing/identifiers.js'

const line = (qty: number, pricePaise: number, rateBps: number, discountBps = 0) => ({
  quantityMilli: Math.round(qty * 1000),
  unitPricePaise: pricePaise,
  discountBps,
  rateBps,
})

t.test('intra-state splits the tax into CGST + SGST, inter-state is IGST', async (t) => {
  t.equal(supplyType('27', '27'), 'intra')
  t.equal(supplyType('27', '29'), 'inter')
  // 2 x ₹500.00 at 18 %: taxable ₹1,000.00; CGST 9 % = ₹90, SGST 9 % = ₹90
  const intra = computeInvoice([line(2, 500_00, 1800)], 'intra')
  t.match(intra, { taxablePaise: 1000_00, cgstPaise: 90_00, sgstPaise: 90_00, igstPaise: 0, exactTotalPaise: 1180_00, roundOffPaise: 0, grandTotalPaise: 1180_00 })
  const inter = computeInvoice([line(2, 500_00, 1800)], 'inter')
  t.match(inter, { taxablePaise: 1000_00, cgstPaise: 0, sgstPaise: 0, igstPaise: 180_00, grandTotalPaise: 1180_00 })
})

t.test('mixed rates, with the summary by rate', async (t) => {
  // A: 1 x ₹1,000 at 5 %     taxable 1,00,000 p; CGST 2.5 % = 2,500 p; SGST 2,500 p
  // B: 3 x ₹333.33 at 12 %   taxable 99,999 p; CGST 6 % = 5,999.94 -> 6,000 p; SGST 6,000 p
  // C: 1 x ₹250 at 0 %       taxable 25,000 p; no tax
  // exact 1,05,000 + 1,11,999 + 25,000 = 2,41,999 p = ₹2,419.99 -> ₹2,420, round off +0.01
  const lines = [line(1, 1000_00, 500), line(3, 333_33, 1200), line(1, 250_00, 0)]
  const intra = computeInvoice(lines, 'intra')
  t.same(
    intra.lines.map((l) => [l.taxablePaise, l.cgstPaise, l.sgstPaise, l.igstPaise, l.totalPaise]),
    [
      [100000, 2500, 2500, 0, 105000],
      [99999, 6000, 6000, 0, 111999],
      [25000, 0, 0, 0, 25000],
    ],
  )
  t.match(intra, { taxablePaise: 224999, cgstPaise: 8500, sgstPaise: 8500, exactTotalPaise: 241999, roundOffPaise: 1, grandTotalPaise: 242000 })
  t.same(intra.byRate, [
    { rateBps: 0, taxablePaise: 25000, cgstPaise: 0, sgstPaise: 0, igstPaise: 0, cessPaise: 0 },
    { rateBps: 500, taxablePaise: 100000, cgstPaise: 2500, sgstPaise: 2500, igstPaise: 0, cessPaise: 0 },
    { rateBps: 1200, taxablePaise: 99999, cgstPaise: 6000, sgstPaise: 6000, igstPaise: 0, cessPaise: 0 },
  ])
  // Inter-state: B's IGST 12 % = 11,999.88 -> 12,000 p
  const inter = computeInvoice(lines, 'inter')
  t.same(inter.lines.map((l) => l.igstPaise), [5000, 12000, 0])
  t.match(inter, { igstPaise: 17000, exactTotalPaise: 241999, grandTotalPaise: 242000 })
  t.same(inter.byRate.map((r) => [r.rateBps, r.igstPaise]), [[0, 0], [500, 5000], [1200, 12000]])
})

t.test('discounts come off before tax', async (t) => {
  // 1 x ₹999.99 less 10 %: discount 9,999.9 -> 10,000 p; taxable 89,999 p;
  // IGST 18 % = 16,199.82 -> 16,200 p; total 1,06,199 p -> ₹1,062, round off +0.01
  const inv = computeInvoice([line(1, 999_99, 1800, 1000)], 'inter')
  t.match(inv.lines[0], { grossPaise: 99999, discountPaise: 10000, taxablePaise: 89999, igstPaise: 16200, totalPaise: 106199 })
  t.match(inv, { discountPaise: 10000, roundOffPaise: 1, grandTotalPaise: 106200 })
  // 100 % discount: nothing to pay
  t.match(computeLine(line(4, 250_00, 2800, 10000), 'intra'), { taxablePaise: 0, cgstPaise: 0, totalPaise: 0 })
  // 12.5 % off 8 x ₹100 = ₹800 -> ₹700; CGST 14 % = ₹98, SGST ₹98
  t.match(computeLine(line(8, 100_00, 2800, 1250), 'intra'), { discountPaise: 100_00, taxablePaise: 700_00, cgstPaise: 98_00, sgstPaise: 98_00, totalPaise: 896_00 })
})

t.test('half paise round up (half-up rule), at every step', async (t) => {
  // CGST 2.5 % of 100 p = 2.5 p -> 3 p (half-even would give 2); SGST the same
  t.match(computeLine(line(1, 1_00, 500), 'intra'), { cgstPaise: 3, sgstPaise: 3, totalPaise: 106 })
  // IGST 5 % of 100 p = 5 p exactly: so intra and inter may differ by a paisa
  t.match(computeLine(line(1, 1_00, 500), 'inter'), { igstPaise: 5, totalPaise: 105 })
  // gross: 1.5 x 1 p = 1.5 p -> 2 p; 0.5 x 1 p = 0.5 -> 1 p; 0.499 x 1 p -> 0 p
  t.equal(computeLine(line(1.5, 1, 0), 'inter').grossPaise, 2)
  t.equal(computeLine(line(0.5, 1, 0), 'inter').grossPaise, 1)
  t.equal(computeLine(line(0.499, 1, 0), 'inter').grossPaise, 0)
  // 2.5 x ₹0.03 = 7.5 p -> 8 p
  t.equal(computeLine(line(2.5, 3, 0), 'inter').grossPaise, 8)
  // discount: 1 % of 150 p = 1.5 p -> 2 p
  t.equal(computeLine(line(1, 150, 0, 100), 'inter').discountPaise, 2)
  // IGST 3 % of 50 p = 1.5 p -> 2 p; 0.25 % of 200 p = 0.5 p -> 1 p
  t.equal(computeLine(line(1, 50, 300), 'inter').igstPaise, 2)
  t.equal(computeLine(line(1, 200, 25), 'inter').igstPaise, 1)
  // CGST 0.125 % of 200 p = 0.25 p -> 0 p; of 400 p = 0.5 p -> 1 p
  t.equal(computeLine(line(1, 200, 25), 'intra').cgstPaise, 0)
  t.equal(computeLine(line(1, 400, 25), 'intra').cgstPaise, 1)
  // just under a half stays down: IGST 18 % of 2 p = 0.36 p -> 0; of 3 p = 0.54 -> 1
  t.equal(computeLine(line(1, 2, 1800), 'inter').igstPaise, 0)
  t.equal(computeLine(line(1, 3, 1800), 'inter').igstPaise, 1)
})

t.test('the total rounds to the rupee, 50 paise up, with the round off shown', async (t) => {
  t.equal(roundToRupee(150050), 150100)
  t.equal(roundToRupee(150049), 150000)
  t.equal(roundToRupee(150000), 150000)
  t.equal(roundToRupee(0), 0)
  t.match(computeInvoice([line(1, 1500_50, 0)], 'inter'), { exactTotalPaise: 150050, roundOffPaise: 50, grandTotalPaise: 150100 })
  t.match(computeInvoice([line(1, 1500_49, 0)], 'inter'), { exactTotalPaise: 150049, roundOffPaise: -49, grandTotalPaise: 150000 })
  // 1 x ₹847.50 at 18 %: IGST 15,255 p; total 1,00,005 p -> ₹1,000, round off -0.05
  t.match(computeInvoice([line(1, 847_50, 1800)], 'inter'), { igstPaise: 15255, exactTotalPaise: 100005, roundOffPaise: -5, grandTotalPaise: 100000 })
})

t.test('zero-rated lines carry no tax but appear in the summary', async (t) => {
  const inv = computeInvoice([line(10, 12_34, 0), line(1, 5_00, 0)], 'intra')
  t.match(inv, { taxablePaise: 128_40, cgstPaise: 0, sgstPaise: 0, igstPaise: 0, exactTotalPaise: 128_40, roundOffPaise: -40, grandTotalPaise: 128_00 })
  t.same(inv.byRate, [{ rateBps: 0, taxablePaise: 128_40, cgstPaise: 0, sgstPaise: 0, igstPaise: 0, cessPaise: 0 }])
  t.match(computeInvoice([], 'intra'), { grandTotalPaise: 0, byRate: [] })
})

t.test('large amounts stay exact', async (t) => {
  // 10,000 x ₹9,99,99,999.99 at 28 %: beyond 2^53 in the intermediate product
  const l = computeLine(line(10000, 99_999_999_99, 2800), 'inter')
  t.equal(l.taxablePaise, 99_999_999_99 * 10000)
  t.equal(l.igstPaise, 27_999_999_997_200, "28 % of 99,99,99,99,990,000 p, exactly")
  t.throws(() => computeLine(line(1, 100, 1000), 'inter'), /not a GST rate/)
})

t.test('GSTIN check character (mod 36)', async (t) => {
  // Worked by hand for 27AAPFU0939F1Z: values 2,7,10,10,25,15,30,0,9,3,9,15,1,35
  // x factors 1,2,1,2,...: products 2,14,10,20,25,30,30,0,9,6,9,30,1,70
  // digit sums (q + r of /36): 2,14,10,20,25,30,30,0,9,6,9,30,1,(1+34) = 221
  // 221 mod 36 = 5; (36 - 5) mod 36 = 31 -> 'V'
  t.equal(gstinCheckChar('27AAPFU0939F1Z'), 'V')
  const valid = ['27AAPFU0939F1ZV', '29AAGCB7383J1Z4', '07AAACI1681G1ZR', '33AAACH7409R1Z8', '24AAACC1206D1ZM']
  for (const g of valid) t.ok(isValidGstin(g), `${g} is valid`)
  // one wrong check character each
  for (const g of ['27AAPFU0939F1ZW', '29AAGCB7383J1Z5', '07AAACI1681G1Z0', '33AAACH7409R1ZA']) {
    t.match(gstinError(g), /check character/, `${g} has a wrong check character`)
  }
  // a typo in the body is caught by the check character too
  t.match(gstinError('27AAPFU0938F1ZV'), /check character/)
  t.match(gstinError('27AAPFU0939F1Z'), /15 characters/)
  t.match(gstinError('27AAPF10939F1ZV'), /PAN/, 'PAN needs 5 letters first')
  t.match(gstinError('27AAPFU0939F0ZV'), /PAN/, 'the entity number is never 0')
  t.match(gstinError('27AAPFU0939F1YV'), /PAN/, "the 14th character is 'Z'")
  // 99 (Centre jurisdiction) and 97 (other territory) are codes; 98 is none
  const unknownState = '98AAPFU0939F1Z' + gstinCheckChar('98AAPFU0939F1Z')
  t.match(gstinError(unknownState), /not a GST state code/)
  t.equal(normaliseGstin(' 27aapfu0939f1zv '), '27AAPFU0939F1ZV')
})

t.test('financial years run April to March, in Indian time', async (t) => {
  t.equal(financialYear('2027-03-31'), '2026-27')
  t.equal(financialYear('2027-04-01'), '2027-28')
  t.equal(financialYear('2026-01-15'), '2025-26')
  t.equal(financialYear('2099-12-31'), '2099-00')
  // 23:59 IST on 31 March is 18:29 UTC; midnight IST is 18:30 UTC
  t.equal(indianDate(Date.parse('2027-03-31T18:29:59Z')), '2027-03-31')
  t.equal(indianDate(Date.parse('2027-03-31T18:30:00Z')), '2027-04-01')
  // Rule 46(b): at most 16 characters. "INV/" 4 + "26-27/" 6 + 5 digits = 15 up to 99,999;
  // the 1,00,000th gets 6 digits: 16. (The earlier INV/2026-27/10000 had 17.)
  t.equal(documentNumber('INV', '2026-27', 1), 'INV/26-27/00001')
  t.equal(documentNumber('INV', '2026-27', 99_999), 'INV/26-27/99999')
  t.equal(documentNumber('INV', '2026-27', 99_999).length, 15)
  t.equal(documentNumber('INV', '2026-27', 100_000).length, 16)
  t.equal(documentNumber('CN', '2099-00', 999_999), 'CN/99-00/999999')
})

t.test('parsing what people type', async (t) => {
  t.equal(parseRupees('1,23,456.78'), 12345678)
  t.equal(parseRupees('₹ 99.5'), 9950)
  t.equal(parseRupees('.5'), 50)
  t.equal(parseRupees('10'), 1000)
  t.equal(parseRupees('1.234'), null, 'no fractions of a paisa')
  t.equal(parseRupees('-5'), null)
  t.equal(parseRupees('abc'), null)
  t.equal(parseRupees(''), null)
  t.equal(parseScaled('1.5', 3), 1500)
  t.equal(parseRate('0.25'), 25)
  t.equal(parseRate('18%'), 1800)
  t.equal(parseRate('10'), null)
  t.equal(formatPaise(1234567_89), '12,34,567.89')
  t.equal(formatPaise(-40), '-0.40')
  const refused = t.throws(() => checkProduct({ name: 'X', hsn: '12', unit_price: '1', rate: '7' }))
  t.match(refused, { kind: 'unprocessable', fields: { hsn: /HSN/, rate: /One of/ } }, 'field messages, 422')
  t.same(checkProduct({ name: 'Pen', hsn: '9608', unit_price: '10.50', rate: '12' }), { name: 'Pen', hsn: '9608', unitPricePaise: 1050, rateBps: 1200, unit: 'NOS', taxClass: 'taxable', cessBps: 0 })
  const form = readInvoiceForm({ customer_id: '3', product_id: ['1', '', '2'], quantity: ['2', '', 'x'], unit_price: ['', '', ''], discount: ['5', '', ''] })
  t.same(form.value.lines, [{ row: 0, productId: 1, quantityMilli: 2000, unitPricePaise: null, discountBps: 500 }], 'blank rows are skipped')
  t.match(form.errors, { line_2: /Quantity/ })
})
