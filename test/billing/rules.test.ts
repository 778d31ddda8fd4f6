/**
 * The issue-14 rules of the pure files (gst.ts, words.ts, calendar.ts), on cases
 * worked by hand: amounts in paise, rates in basis points (1 % = 100 bp).
 */
import t from 'tap'
import { indianDate } from '../../src/domains/billing/calendar.js'
import { documentTitle, hsnSummary } from '../../src/domains/billing/documents.js'
import { computeInvoice, computeLine, MAX_CESS_BPS, MAX_LINE_PAISE, secondTaxName, supplyType, type LineInput } from '../../src/domains/billing/gst.js'
import { MAX_LINES, MAX_QUANTITY_MILLI } from '../../src/domains/billing/forms/fields.js'
import { isPlaceOfSupply, isStateCode } from '../../src/domains/billing/identifiers.js'
import { numberInWords, rupeesInWords } from '../../src/domains/billing/words.js'
import { ist } from './fixtures/seed.js'

const line = (qty: number, pricePaise: number, rateBps: number, more: Partial<LineInput> = {}): LineInput => ({
  quantityMilli: Math.round(qty * 1000),
  unitPricePaise: pricePaise,
  discountBps: 0,
  rateBps,
  ...more,
})

t.test('union territories without a legislature: CGST + UTGST; with one: CGST + SGST', async (t) => {
  for (const ut of ['04', '26', '31', '35', '38']) t.equal(secondTaxName(ut), 'UTGST', `${ut} has no legislature`)
  for (const state of ['07', '34', '01', '27']) t.equal(secondTaxName(state), 'SGST', `${state}: SGST`)
  // Chandigarh to Chandigarh is intra: 2 x ₹500 at 18 % = 1,000.00; CGST 9 % 90.00 + UTGST 9 % 90.00
  t.equal(supplyType('04', '04'), 'intra')
  t.match(computeInvoice([line(2, 500_00, 1800)], 'intra'), { cgstPaise: 90_00, sgstPaise: 90_00, igstPaise: 0, grandTotalPaise: 1180_00 })
})

t.test('exports (96) and Centre jurisdiction (99) are inter-state; under LUT nothing is charged', async (t) => {
  t.equal(supplyType('27', '96'), 'inter')
  t.equal(supplyType('99', '99'), 'inter')
  t.ok(isPlaceOfSupply('96') && !isStateCode('96'), '96 is a place of supply, not a party state')
  t.ok(isStateCode('99'))
  // 10 x ₹1,000 at 18 %: with IGST paid 1,800.00 (total 11,800); under LUT 0 (total 10,000)
  t.match(computeInvoice([line(10, 1000_00, 1800)], { supply: 'inter' }), { igstPaise: 1800_00, grandTotalPaise: 11800_00 })
  t.match(computeInvoice([line(10, 1000_00, 1800)], { supply: 'inter', lut: true }), { igstPaise: 0, grandTotalPaise: 10000_00, byRate: [] })
  // a zero-rated line (SEZ) without LUT carries IGST like any other
  t.equal(computeLine(line(1, 100_00, 1800, { taxClass: 'zero' }), { supply: 'inter' }).igstPaise, 18_00)
})

t.test('40 %, and cess per line', async (t) => {
  // 1 x ₹999.99 at 40 %: IGST 399.996 -> 400.00; intra CGST 20 % = 199.998 -> 200.00, SGST the same
  t.equal(computeLine(line(1, 999_99, 4000), 'inter').igstPaise, 400_00)
  t.match(computeLine(line(1, 999_99, 4000), 'intra'), { cgstPaise: 200_00, sgstPaise: 200_00, totalPaise: 1399_99 })
  // a car: ₹10,00,000 at 28 % with 22 % cess, intra: CGST 1,40,000 + SGST 1,40,000 + cess 2,20,000 = 15,00,000
  const car = computeInvoice([line(1, 10_00_000_00, 2800, { cessBps: 2200 })], 'intra')
  t.match(car, { cgstPaise: 1_40_000_00, sgstPaise: 1_40_000_00, cessPaise: 2_20_000_00, grandTotalPaise: 15_00_000_00 })
  t.same(car.byRate, [{ rateBps: 2800, taxablePaise: 10_00_000_00, cgstPaise: 1_40_000_00, sgstPaise: 1_40_000_00, igstPaise: 0, cessPaise: 2_20_000_00 }])
  // cess 1 % of ₹0.50 = 0.5 p -> 1 p (half up)
  t.equal(computeLine(line(1, 50, 500, { cessBps: 100 }), 'inter').cessPaise, 1)
  t.throws(() => computeLine(line(1, 100, 500, { cessBps: MAX_CESS_BPS + 1 }), 'inter'), /cess/)
})

t.test('nil-rated, exempt, non-GST lines carry no tax; nothing taxable makes a bill of supply', async (t) => {
  // ₹1,000 taxable at 5 % (50.00) + ₹300 exempt + ₹200 nil + ₹100 non-GST = 1,650.00
  const lines = [line(1, 1000_00, 500), line(1, 300_00, 0, { taxClass: 'exempt' }), line(1, 200_00, 0, { taxClass: 'nil' }), line(1, 100_00, 0, { taxClass: 'non_gst' })]
  const inv = computeInvoice(lines, 'inter')
  t.match(inv, { taxablePaise: 1600_00, igstPaise: 50_00, grandTotalPaise: 1650_00 })
  t.same(
    inv.byRate.map((r) => r.rateBps),
    [500],
    'the tax summary lists only lines that carry tax',
  )
  // an exempt line at a rate is still untaxed: the class decides
  t.equal(computeLine(line(1, 100_00, 1800, { taxClass: 'exempt' }), 'intra').cgstPaise, 0)
  t.equal(documentTitle(['taxable', 'exempt']), 'Tax invoice')
  t.equal(documentTitle(['zero']), 'Tax invoice', 'zero-rated is a taxable supply (Rule 46)')
  t.equal(documentTitle(['exempt', 'nil', 'non_gst']), 'Bill of supply', 'Rule 49')
})

t.test('reverse charge: the tax is shown, the recipient owes only the value', async (t) => {
  // legal services ₹10,000 at 18 %, inter: IGST 1,800 shown; total due 10,000
  t.match(computeInvoice([line(1, 10_000_00, 1800)], { supply: 'inter', reverseCharge: true }), { igstPaise: 1800_00, exactTotalPaise: 10_000_00, grandTotalPaise: 10_000_00 })
})

t.test('amount in words, the Indian way', async (t) => {
  t.equal(rupeesInWords(104062_00), 'Rupees One Lakh Four Thousand Sixty-Two Only')
  t.equal(rupeesInWords(1_23_45_678_50), 'Rupees One Crore Twenty-Three Lakh Forty-Five Thousand Six Hundred Seventy-Eight and Fifty Paise Only')
  t.equal(rupeesInWords(1_00_000_00), 'Rupees One Lakh Only')
  t.equal(rupeesInWords(99), 'Rupees Zero and Ninety-Nine Paise Only')
  t.equal(rupeesInWords(1180_00), 'Rupees One Thousand One Hundred Eighty Only')
  // 1,00,00,00,00,000 = one lakh crore
  t.equal(numberInWords(1_00_000_00_00_000), 'One Lakh Crore')
  t.equal(numberInWords(10_15), 'One Thousand Fifteen')
  // 9,00,71,99,25,47,40,991 = 90,07,19,925 crore + 47,40,991: crores of crores
  t.equal(
    numberInWords(Number.MAX_SAFE_INTEGER),
    'Ninety Crore Seven Lakh Nineteen Thousand Nine Hundred Twenty-Five Crore Forty-Seven Lakh Forty Thousand Nine Hundred Ninety-One',
  )
})

t.test('HSN-wise summary: one row per HSN, unit and rate', async (t) => {
  const row = (hsn: string, unit: string, rateBps: number, qty: number, taxable: number, igst: number) => ({ hsn, unit, rateBps, quantityMilli: qty, taxablePaise: taxable, cgstPaise: 0, sgstPaise: 0, igstPaise: igst, cessPaise: 0 })
  const summary = hsnSummary([row('8471', 'NOS', 1800, 2000, 1000_00, 180_00), row('1006', 'KGS', 500, 2500, 100_00, 5_00), row('8471', 'NOS', 1800, 1000, 500_00, 90_00)])
  t.same(summary, [row('1006', 'KGS', 500, 2500, 100_00, 5_00), row('8471', 'NOS', 1800, 3000, 1500_00, 270_00)])
})

t.test('limits: a million units to 3 decimals, and no sum can pass Number.MAX_SAFE_INTEGER', async (t) => {
  t.equal(MAX_QUANTITY_MILLI, 1_000_000_000, '10,00,000.000 units')
  // 20,000 x ₹0.50 at 5 %: 10,000.00 + 500.00
  t.match(computeLine(line(20_000, 50, 500), 'inter'), { taxablePaise: 10_000_00, igstPaise: 500_00 })
  // 10,00,000.001 is past the limit; 9,99,999.999 x ₹1 = 9,99,999.999 -> 10,00,000.00 (half up)
  t.equal(computeLine(line(999_999.999, 100, 0), 'inter').grossPaise, 1_000_000_00)
  // The worst invoice: 100 lines each of MAX_LINE_PAISE at 40 % with 300 % cess, intra
  const worst = Array.from({ length: MAX_LINES }, () => ({ quantityMilli: 1000, unitPricePaise: MAX_LINE_PAISE, discountBps: 0, rateBps: 4000, cessBps: MAX_CESS_BPS }))
  const inv = computeInvoice(worst, 'intra')
  // per line: 10^13 + CGST 20 % 2 x 10^12 + SGST 2 x 10^12 + cess 3 x 10^13 = 4.4 x 10^13; x 100 = 4.4 x 10^15
  t.equal(inv.grandTotalPaise, 4_400_000_000_000_000)
  t.ok(Number.isSafeInteger(inv.grandTotalPaise) && inv.grandTotalPaise < Number.MAX_SAFE_INTEGER)
})

t.test('dates are Indian: 00:20 IST on 1 April is 1 April (18:50 UTC on 31 March)', async (t) => {
  const ms = ist('2027-04-01T00:20')
  t.equal(new Date(ms).toISOString().slice(0, 10), '2027-03-31', 'UTC would say 31 March')
  t.equal(indianDate(ms), '2027-04-01')
})
