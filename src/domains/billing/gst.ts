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
 */

// ---------------------------------------------------------------- rates

/** Allowed GST rates in basis points: 0, 0.25, 3, 5, 12, 18, 28 %. */
export const GST_RATES_BPS = [0, 25, 300, 500, 1200, 1800, 2800] as const
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

// ---------------------------------------------------------------- states

/** GST state codes (the first two digits of a GSTIN). */
export const GST_STATES: ReadonlyArray<{ code: string; name: string }> = [
  { code: '01', name: 'Jammu and Kashmir' },
  { code: '02', name: 'Himachal Pradesh' },
  { code: '03', name: 'Punjab' },
  { code: '04', name: 'Chandigarh' },
  { code: '05', name: 'Uttarakhand' },
  { code: '06', name: 'Haryana' },
  { code: '07', name: 'Delhi' },
  { code: '08', name: 'Rajasthan' },
  { code: '09', name: 'Uttar Pradesh' },
  { code: '10', name: 'Bihar' },
  { code: '11', name: 'Sikkim' },
  { code: '12', name: 'Arunachal Pradesh' },
  { code: '13', name: 'Nagaland' },
  { code: '14', name: 'Manipur' },
  { code: '15', name: 'Mizoram' },
  { code: '16', name: 'Tripura' },
  { code: '17', name: 'Meghalaya' },
  { code: '18', name: 'Assam' },
  { code: '19', name: 'West Bengal' },
  { code: '20', name: 'Jharkhand' },
  { code: '21', name: 'Odisha' },
  { code: '22', name: 'Chhattisgarh' },
  { code: '23', name: 'Madhya Pradesh' },
  { code: '24', name: 'Gujarat' },
  { code: '26', name: 'Dadra and Nagar Haveli and Daman and Diu' },
  { code: '27', name: 'Maharashtra' },
  { code: '29', name: 'Karnataka' },
  { code: '30', name: 'Goa' },
  { code: '31', name: 'Lakshadweep' },
  { code: '32', name: 'Kerala' },
  { code: '33', name: 'Tamil Nadu' },
  { code: '34', name: 'Puducherry' },
  { code: '35', name: 'Andaman and Nicobar Islands' },
  { code: '36', name: 'Telangana' },
  { code: '37', name: 'Andhra Pradesh' },
  { code: '38', name: 'Ladakh' },
  { code: '97', name: 'Other Territory' },
]

const STATE_NAMES = new Map(GST_STATES.map((s) => [s.code, s.name]))

export function stateName(code: string): string {
  return STATE_NAMES.get(code) ?? code
}

export function isStateCode(code: string): boolean {
  return STATE_NAMES.has(code)
}

// ---------------------------------------------------------------- GSTIN

const GSTIN_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
/** state code, PAN (5 letters, 4 digits, 1 letter), entity number, 'Z', check character */
const GSTIN_PATTERN = /^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/

/**
 * The GSTIN check character (mod 36, alternating factors 1 and 2 from the left):
 * each character's value times its factor is split into quotient and remainder
 * by 36 and both are added; the check is (36 - sum mod 36) mod 36.
 */
export function gstinCheckChar(first14: string): string {
  if (first14.length !== 14) throw new RangeError('gstinCheckChar needs the first 14 characters')
  let sum = 0
  for (let i = 0; i < 14; i++) {
    const value = GSTIN_CHARS.indexOf(first14[i]!)
    if (value < 0) throw new RangeError(`not a GSTIN character: ${first14[i]}`)
    const product = value * (i % 2 === 0 ? 1 : 2)
    sum += Math.floor(product / 36) + (product % 36)
  }
  return GSTIN_CHARS[(36 - (sum % 36)) % 36]!
}

export function normaliseGstin(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase()
}

/** Null when the GSTIN is valid, else what is wrong with it (for the form). */
export function gstinError(gstin: string): string | null {
  if (gstin.length !== 15) return 'A GSTIN has 15 characters.'
  if (!GSTIN_PATTERN.test(gstin)) return 'A GSTIN is a 2-digit state code, a 10-character PAN, an entity number, Z and a check character.'
  if (!isStateCode(gstin.slice(0, 2))) return `${gstin.slice(0, 2)} is not a GST state code.`
  if (gstinCheckChar(gstin.slice(0, 14)) !== gstin[14]) return 'The check character (last one) does not match: check for a typo.'
  return null
}

export function isValidGstin(gstin: string): boolean {
  return gstinError(gstin) === null
}

// ---------------------------------------------------------------- dates and numbering

/** India has one time zone: IST, UTC+05:30, no daylight saving. */
const IST_OFFSET_MS = (5 * 60 + 30) * 60 * 1000

/** The calendar date in India at this instant, as YYYY-MM-DD. */
export function indianDate(ms: number): string {
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 10)
}

/** Adds days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const d = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text
}

/** The financial year (April to March) of a date: 2027-03-31 -> "2026-27", 2027-04-01 -> "2027-28". */
export function financialYear(date: string): string {
  const year = Number(date.slice(0, 4))
  const month = Number(date.slice(5, 7))
  const start = month >= 4 ? year : year - 1
  return `${start}-${String((start + 1) % 100).padStart(2, '0')}`
}

/** INV/2026-27/0001 (at least four digits; more when a year needs them). */
export function invoiceNumber(fy: string, seq: number): string {
  return `INV/${fy}/${String(seq).padStart(4, '0')}`
}

// ---------------------------------------------------------------- invoice arithmetic

export type Supply = 'intra' | 'inter'

/** Intra-state when the supplier's state is the place of supply: CGST + SGST; else IGST. */
export function supplyType(businessState: string, placeOfSupply: string): Supply {
  return businessState === placeOfSupply ? 'intra' : 'inter'
}

export interface LineInput {
  /** thousandths of a unit */
  quantityMilli: number
  unitPricePaise: number
  /** basis points of the gross amount, 0..10000 */
  discountBps: number
  rateBps: number
}

export interface LineAmounts {
  grossPaise: number
  discountPaise: number
  taxablePaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  totalPaise: number
}

export interface RateSummary {
  rateBps: number
  taxablePaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
}

export interface InvoiceTotals {
  supply: Supply
  lines: LineAmounts[]
  taxablePaise: number
  discountPaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  /** taxable + taxes, before rounding to the rupee */
  exactTotalPaise: number
  /** grand total minus the exact total: -49..+50 paise */
  roundOffPaise: number
  /** a whole number of rupees, in paise */
  grandTotalPaise: number
  /** one row per rate used, lowest rate first */
  byRate: RateSummary[]
}

export function computeLine(line: LineInput, supply: Supply): LineAmounts {
  if (!Number.isSafeInteger(line.quantityMilli) || line.quantityMilli < 0) throw new RangeError('quantity must be a non-negative integer of thousandths')
  if (!Number.isSafeInteger(line.unitPricePaise) || line.unitPricePaise < 0) throw new RangeError('price must be non-negative paise')
  if (!Number.isInteger(line.discountBps) || line.discountBps < 0 || line.discountBps > 10000) throw new RangeError('discount must be 0..10000 bp')
  if (!isGstRate(line.rateBps)) throw new RangeError(`not a GST rate: ${line.rateBps} bp`)
  const grossPaise = mulDivHalfUp(line.quantityMilli, line.unitPricePaise, 1000)
  const discountPaise = mulDivHalfUp(grossPaise, line.discountBps, 10000)
  const taxablePaise = grossPaise - discountPaise
  let cgstPaise = 0
  let sgstPaise = 0
  let igstPaise = 0
  if (supply === 'intra') {
    // half the rate each: 10000 bp * 2
    cgstPaise = mulDivHalfUp(taxablePaise, line.rateBps, 20000)
    sgstPaise = cgstPaise
  } else {
    igstPaise = mulDivHalfUp(taxablePaise, line.rateBps, 10000)
  }
  return { grossPaise, discountPaise, taxablePaise, cgstPaise, sgstPaise, igstPaise, totalPaise: taxablePaise + cgstPaise + sgstPaise + igstPaise }
}

/** Rounds paise to the whole rupee, half up (x.50 -> x+1). */
export function roundToRupee(paise: number): number {
  return mulDivHalfUp(paise, 1, 100) * 100
}

export function computeInvoice(lines: LineInput[], supply: Supply): InvoiceTotals {
  const amounts = lines.map((l) => computeLine(l, supply))
  const sum = (key: keyof LineAmounts) => amounts.reduce((acc, a) => acc + a[key], 0)
  const byRate = new Map<number, RateSummary>()
  lines.forEach((l, i) => {
    const a = amounts[i]!
    const r = byRate.get(l.rateBps) ?? { rateBps: l.rateBps, taxablePaise: 0, cgstPaise: 0, sgstPaise: 0, igstPaise: 0 }
    r.taxablePaise += a.taxablePaise
    r.cgstPaise += a.cgstPaise
    r.sgstPaise += a.sgstPaise
    r.igstPaise += a.igstPaise
    byRate.set(l.rateBps, r)
  })
  const exactTotalPaise = sum('totalPaise')
  const grandTotalPaise = roundToRupee(exactTotalPaise)
  return {
    supply,
    lines: amounts,
    taxablePaise: sum('taxablePaise'),
    discountPaise: sum('discountPaise'),
    cgstPaise: sum('cgstPaise'),
    sgstPaise: sum('sgstPaise'),
    igstPaise: sum('igstPaise'),
    exactTotalPaise,
    roundOffPaise: grandTotalPaise - exactTotalPaise,
    grandTotalPaise,
    byRate: [...byRate.values()].sort((a, b) => a.rateBps - b.rateBps),
  }
}
