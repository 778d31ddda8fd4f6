/**
 * GST arithmetic and Indian tax identifiers. Pure: no I/O, no clock.
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

/** 2500 -> "25", 25 -> "0.25", 1250 -> "12.5" (no trailing zeros). */
export function formatPercent(bps: number): string {
  return formatScaled(bps, 2)
}

// ---------------------------------------------------------------- exact integer helpers

/** round(a * b / d) half up, exact, for non-negative integers. */
export function mulDivHalfUp(a: number, b: number, d: number): number {
  if (a < 0 || b < 0 || d <= 0) throw new RangeError('mulDivHalfUp takes non-negative amounts')
  const n = BigInt(a) * BigInt(b)
  const dd = BigInt(d)
  return Number((2n * n + dd) / (2n * dd))
}

// ---------------------------------------------------------------- parsing and formatting

/**
 * Parses a non-negative decimal with at most `scale` fraction digits into an
 * integer of that scale ("12.5", 2 -> 1250). Commas and spaces are ignored
 * ("1,23,456.78"). Returns null for anything else.
 */
export function parseScaled(text: string | number | null | undefined, scale: number): number | null {
  if (text === null || text === undefined) return null
  const s = String(text).replace(/[,\s₹]/g, '')
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m) return null
  const whole = m[1]!
  const frac = m[2] ?? ''
  if ((whole === '' && frac === '') || whole.length > 13 || frac.length > scale) return null
  const n = Number(whole || '0') * 10 ** scale + Number(frac.padEnd(scale, '0') || '0')
  return Number.isSafeInteger(n) ? n : null
}

/** Integer of a scale back to a short decimal string: (1250, 2) -> "12.5", (1500, 3) -> "1.5". */
export function formatScaled(n: number, scale: number): string {
  const sign = n < 0 ? '-' : ''
  const abs = Math.abs(n)
  const unit = 10 ** scale
  const whole = Math.floor(abs / unit)
  const frac = String(abs % unit).padStart(scale, '0').replace(/0+$/, '')
  return sign + String(whole) + (frac ? '.' + frac : '')
}

/** Rupees text ("1,234.5") to paise, or null. */
export const parseRupees = (text: string | number | null | undefined) => parseScaled(text, 2)

/** Groups digits the Indian way: 1234567 -> "12,34,567". */
function indianGroups(whole: string): string {
  if (whole.length <= 3) return whole
  const last3 = whole.slice(-3)
  const rest = whole.slice(0, -3).replace(/\B(?=(\d{2})+(?!\d))/g, ',')
  return `${rest},${last3}`
}

/** Paise to "1,23,456.78" (no currency sign); negative as "-0.40". */
export function formatPaise(paise: number): string {
  const sign = paise < 0 ? '-' : ''
  const abs = Math.abs(paise)
  return `${sign}${indianGroups(String(Math.floor(abs / 100)))}.${String(abs % 100).padStart(2, '0')}`
}

/** Paise to a plain input value: 123450 -> "1234.50". */
export function paiseToInput(paise: number): string {
  return `${Math.floor(paise / 100)}.${String(paise % 100).padStart(2, '0')}`
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

/** The stored amount columns of a document (invoice or note) from its totals. */
export function documentAmounts(t: InvoiceTotals) {
  return {
    taxablePaise: t.taxablePaise,
    cgstPaise: t.cgstPaise,
    sgstPaise: t.sgstPaise,
    igstPaise: t.igstPaise,
    cessPaise: t.cessPaise,
    roundOffPaise: t.roundOffPaise,
    totalPaise: t.grandTotalPaise,
  }
}

/** The stored amount columns of one line. */
export function lineAmountColumns(a: LineAmounts) {
  return { taxablePaise: a.taxablePaise, cgstPaise: a.cgstPaise, sgstPaise: a.sgstPaise, igstPaise: a.igstPaise, cessPaise: a.cessPaise, totalPaise: a.totalPaise }
}

/**
 * Rule 49: a document on which nothing is taxable (only nil-rated, exempt or
 * non-GST lines) is a "Bill of supply", not a "Tax invoice".
 */
export function documentTitle(taxClasses: readonly TaxClass[]): 'Tax invoice' | 'Bill of supply' {
  return taxClasses.length > 0 && taxClasses.every((c) => c === 'nil' || c === 'exempt' || c === 'non_gst') ? 'Bill of supply' : 'Tax invoice'
}

export interface HsnLine {
  hsn: string
  unit: string
  rateBps: number
  quantityMilli: number
  taxablePaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  cessPaise: number
}

/** The HSN-wise summary (Rule 46(g), GSTR-1 table 12): one row per HSN, unit and rate. */
export function hsnSummary(lines: readonly HsnLine[]): HsnLine[] {
  const rows = new Map<string, HsnLine>()
  for (const l of lines) {
    const key = `${l.hsn}|${l.unit}|${l.rateBps}`
    const r = rows.get(key) ?? { hsn: l.hsn, unit: l.unit, rateBps: l.rateBps, quantityMilli: 0, taxablePaise: 0, cgstPaise: 0, sgstPaise: 0, igstPaise: 0, cessPaise: 0 }
    r.quantityMilli += l.quantityMilli
    r.taxablePaise += l.taxablePaise
    r.cgstPaise += l.cgstPaise
    r.sgstPaise += l.sgstPaise
    r.igstPaise += l.igstPaise
    r.cessPaise += l.cessPaise
    rows.set(key, r)
  }
  return [...rows.values()].sort((a, b) => a.hsn.localeCompare(b.hsn) || a.rateBps - b.rateBps || a.unit.localeCompare(b.unit))
}
