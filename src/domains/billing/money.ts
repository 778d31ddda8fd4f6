/**
 * Numbers as people type and read them: decimals to scaled integers and back,
 * paise with Indian digit grouping, percentages of basis points. Pure.
 */

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

/** 2500 -> "25", 25 -> "0.25", 1250 -> "12.5" (no trailing zeros). */
export function formatPercent(bps: number): string {
  return formatScaled(bps, 2)
}
