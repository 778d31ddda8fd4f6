/**
 * GST arithmetic: rates, tax classes, supply type, line and invoice amounts. Pure:
 * no I/O, no clock. (Typing and printing numbers: money.ts; what a document stores
 * and prints from its totals: documents.ts.)
 *
 * Money is integer paise throughout. Rates are basis points (1 % = 100 bp, so
 * 0.25 % = 25 bp), quantities are thousandths of a unit (1.5 kg = 1500),
 * discounts are basis points of the line's gross amount.
 *
 * Rounding rule: ROUND HALF UP (amounts are never negative, so this is also
 * "half away from zero"), done in exact integer (BigInt) arithmetic:
 *  - every line amount (gross, discount, CGST, SGST, IGST) is rounded to the paisa
 *    on its own, per line;
 *  - intra-state tax is CGST at half the rate plus SGST at half the rate, each
 *    rounded to the paisa, so CGST always equals SGST (and their sum may differ
 *    by one paisa from IGST at the full rate on the same amount);
 *  - the invoice total is rounded to the whole rupee (50 paise rounds up), and
 *    the difference is shown as the "Round off" line (between -0.49 and +0.50).
 *
 * Overflow: the service bounds a line's gross amount to MAX_LINE_PAISE (₹10,000 crore),
 * GST to 40 % and cess to 300 %, and an invoice to 100 lines, so the largest total,
 * 100 x 10^13 x (1 + 0.40 + 3.00) = 4.4 x 10^15 paise, stays below
 * Number.MAX_SAFE_INTEGER (9.007 x 10^15); products are taken in BigInt.
 */

// ---------------------------------------------------------------- rates

/** Allowed GST rates in basis points: 0, 0.25, 3, 5, 12, 18, 28 and 40 % (in force since 22 September 2025). */
export const GST_RATES_BPS = [0, 25, 300, 500, 1200, 1800, 2800, 4000] as const
export type GstRateBps = (typeof GST_RATES_BPS)[number]

export function isGstRate(bps: number): bps is GstRateBps {
  return (GST_RATES_BPS as readonly number[]).includes(bps)
}

// ---------------------------------------------------------------- exact integer helpers

/** round(a * b / d) half up, exact, for non-negative integers. */
export function mulDivHalfUp(a: number, b: number, d: number): number {
  if (a < 0 || b < 0 || d <= 0) throw new RangeError('mulDivHalfUp takes non-negative amounts')
  const n = BigInt(a) * BigInt(b)
  const dd = BigInt(d)
  return Number((2n * n + dd) / (2n * dd))
}

// ---------------------------------------------------------------- invoice arithmetic

export type Supply = 'intra' | 'inter'

/**
 * What GST a line carries. `taxable`: at its rate; `zero`: zero-rated (exports,
 * SEZ): IGST unless supplied under LUT/bond; `nil` (0 % rated), `exempt` and
 * `non_gst` (outside GST, e.g. petrol): no tax at all.
 */
export const TAX_CLASSES = ['taxable', 'zero', 'nil', 'exempt', 'non_gst'] as const
export type TaxClass = (typeof TAX_CLASSES)[number]
export const TAX_CLASS_LABELS: Record<TaxClass, string> = {
  taxable: 'Taxable',
  zero: 'Zero-rated',
  nil: 'Nil-rated',
  exempt: 'Exempt',
  non_gst: 'Non-GST',
}

export function isTaxClass(text: string): text is TaxClass {
  return (TAX_CLASSES as readonly string[]).includes(text)
}

/** The largest gross amount of one line: ₹10,000 crore (see the overflow note above). */
export const MAX_LINE_PAISE = 10_000_000_000_000

/** quantity x price, rounded to the paisa: what MAX_LINE_PAISE bounds. */
export function lineGrossPaise(quantityMilli: number, unitPricePaise: number): number {
  return mulDivHalfUp(quantityMilli, unitPricePaise, 1000)
}

/** Highest compensation cess rate a line may carry: 300 % (see the overflow note above). */
export const MAX_CESS_BPS = 30000

/**
 * Intra-state when the supplier's state is the place of supply: CGST + SGST (or
 * UTGST); else IGST. Exports (place of supply 96) and supplies to 99 (Centre
 * jurisdiction) are always inter-state.
 */
export function supplyType(businessState: string, placeOfSupply: string): Supply {
  if (placeOfSupply === '96' || placeOfSupply === '99') return 'inter'
  return businessState === placeOfSupply ? 'intra' : 'inter'
}

/** The second half of intra-state tax: UTGST in a union territory without a legislature, else SGST. */
export function secondTaxName(placeOfSupply: string): 'SGST' | 'UTGST' {
  return ['04', '26', '31', '35', '38'].includes(placeOfSupply) ? 'UTGST' : 'SGST'
}

export interface LineInput {
  /** thousandths of a unit */
  quantityMilli: number
  unitPricePaise: number
  /** basis points of the gross amount, 0..10000 */
  discountBps: number
  rateBps: number
  taxClass?: TaxClass
  /** compensation cess, basis points of the taxable amount */
  cessBps?: number
}

/**
 * How the invoice is taxed as a whole: `lut` zero-rates every line (export or SEZ
 * supply under LUT/bond); under `reverseCharge` the tax is shown but paid by the
 * recipient to the government, so it is not part of what the recipient owes.
 */
export interface TaxMode {
  supply: Supply
  lut?: boolean
  reverseCharge?: boolean
}

export interface LineAmounts {
  grossPaise: number
  discountPaise: number
  taxablePaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  cessPaise: number
  totalPaise: number
}

export interface RateSummary {
  rateBps: number
  taxablePaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  cessPaise: number
}

export interface InvoiceTotals {
  supply: Supply
  lines: LineAmounts[]
  taxablePaise: number
  discountPaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  cessPaise: number
  /** taxable + taxes (taxable only under reverse charge), before rounding to the rupee */
  exactTotalPaise: number
  /** grand total minus the exact total: -49..+50 paise */
  roundOffPaise: number
  /** a whole number of rupees, in paise */
  grandTotalPaise: number
  /** one row per rate of the lines that carry tax, lowest rate first */
  byRate: RateSummary[]
}

/** Whether a line of this class carries GST on an invoice taxed this way. */
export function carriesTax(taxClass: TaxClass, mode: TaxMode): boolean {
  if (taxClass === 'taxable') return !mode.lut
  if (taxClass === 'zero') return !mode.lut
  return false
}

export function computeLine(line: LineInput, modeOrSupply: TaxMode | Supply): LineAmounts {
  const mode = typeof modeOrSupply === 'string' ? { supply: modeOrSupply } : modeOrSupply
  const taxClass = line.taxClass ?? 'taxable'
  const cessBps = line.cessBps ?? 0
  if (!Number.isSafeInteger(line.quantityMilli) || line.quantityMilli < 0) throw new RangeError('quantity must be a non-negative integer of thousandths')
  if (!Number.isSafeInteger(line.unitPricePaise) || line.unitPricePaise < 0) throw new RangeError('price must be non-negative paise')
  if (!Number.isInteger(line.discountBps) || line.discountBps < 0 || line.discountBps > 10000) throw new RangeError('discount must be 0..10000 bp')
  if (!isGstRate(line.rateBps)) throw new RangeError(`not a GST rate: ${line.rateBps} bp`)
  if (!Number.isInteger(cessBps) || cessBps < 0 || cessBps > MAX_CESS_BPS) throw new RangeError(`cess must be 0..${MAX_CESS_BPS} bp`)
  const grossPaise = lineGrossPaise(line.quantityMilli, line.unitPricePaise)
  const discountPaise = mulDivHalfUp(grossPaise, line.discountBps, 10000)
  const taxablePaise = grossPaise - discountPaise
  let cgstPaise = 0
  let sgstPaise = 0
  let igstPaise = 0
  let cessPaise = 0
  if (carriesTax(taxClass, mode)) {
    if (mode.supply === 'intra') {
      // half the rate each: 10000 bp * 2
      cgstPaise = mulDivHalfUp(taxablePaise, line.rateBps, 20000)
      sgstPaise = cgstPaise
    } else {
      igstPaise = mulDivHalfUp(taxablePaise, line.rateBps, 10000)
    }
    cessPaise = mulDivHalfUp(taxablePaise, cessBps, 10000)
  }
  const totalPaise = mode.reverseCharge ? taxablePaise : taxablePaise + cgstPaise + sgstPaise + igstPaise + cessPaise
  return { grossPaise, discountPaise, taxablePaise, cgstPaise, sgstPaise, igstPaise, cessPaise, totalPaise }
}

/** Rounds paise to the whole rupee, half up (x.50 -> x+1). */
export function roundToRupee(paise: number): number {
  return mulDivHalfUp(paise, 1, 100) * 100
}

export function computeInvoice(lines: LineInput[], modeOrSupply: TaxMode | Supply): InvoiceTotals {
  const mode = typeof modeOrSupply === 'string' ? { supply: modeOrSupply } : modeOrSupply
  const amounts = lines.map((l) => computeLine(l, mode))
  const sum = (key: keyof LineAmounts) => amounts.reduce((acc, a) => acc + a[key], 0)
  const byRate = new Map<number, RateSummary>()
  lines.forEach((l, i) => {
    if (!carriesTax(l.taxClass ?? 'taxable', mode)) return
    const a = amounts[i]!
    const r = byRate.get(l.rateBps) ?? { rateBps: l.rateBps, taxablePaise: 0, cgstPaise: 0, sgstPaise: 0, igstPaise: 0, cessPaise: 0 }
    r.taxablePaise += a.taxablePaise
    r.cgstPaise += a.cgstPaise
    r.sgstPaise += a.sgstPaise
    r.igstPaise += a.igstPaise
    r.cessPaise += a.cessPaise
    byRate.set(l.rateBps, r)
  })
  const exactTotalPaise = sum('totalPaise')
  const grandTotalPaise = roundToRupee(exactTotalPaise)
  return {
    supply: mode.supply,
    lines: amounts,
    taxablePaise: sum('taxablePaise'),
    discountPaise: sum('discountPaise'),
    cgstPaise: sum('cgstPaise'),
    sgstPaise: sum('sgstPaise'),
    igstPaise: sum('igstPaise'),
    cessPaise: sum('cessPaise'),
    exactTotalPaise,
    roundOffPaise: grandTotalPaise - exactTotalPaise,
    grandTotalPaise,
    byRate: [...byRate.values()].sort((a, b) => a.rateBps - b.rateBps),
  }
}
