/** Dates in India and document numbering by financial year. Pure. */

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

/** The series of documents, each numbered on its own per financial year. */
export type Series = 'INV' | 'CN' | 'DN'

/**
 * INV/26-27/00001: 15 characters up to 99,999 documents a year, 16 up to 999,999;
 * Rule 46(b) allows 16 (letters, digits, "/" and "-").
 */
export function documentNumber(series: Series, fy: string, seq: number): string {
  return `${series}/${fy.slice(2)}/${String(seq).padStart(5, '0')}`
}

/** The wall-clock time in India at this instant, as "YYYY-MM-DD HH:MM". */
export function indianDateTime(ms: number): string {
  return new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ')
}


// ---------------------------------------------------------------- months (returns are monthly)

/** "2026-10": a calendar month (India). */
export function isMonth(text: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(text)
}

/** The month before the one of a YYYY-MM-DD date: 2026-01-15 -> "2025-12". */
export function previousMonth(date: string): string {
  const year = Number(date.slice(0, 4))
  const month = Number(date.slice(5, 7))
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`
}

/** The dates of a month as a half-open range of YYYY-MM-DD: "2026-12" -> 2026-12-01 up to 2027-01-01. */
export function monthRange(month: string): { from: string; to: string } {
  const year = Number(month.slice(0, 4))
  const m = Number(month.slice(5, 7))
  const to = m === 12 ? `${year + 1}-01-01` : `${year}-${String(m + 1).padStart(2, '0')}-01`
  return { from: `${month}-01`, to }
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** "2026-10" -> "October 2026". */
export function monthLabel(month: string): string {
  return `${MONTH_NAMES[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`
}

/** "2026-10-05" -> "05-Oct-2026" (the GSTR-1 offline tool's date format). */
export function returnDate(date: string): string {
  return `${date.slice(8, 10)}-${MONTH_NAMES[Number(date.slice(5, 7)) - 1]!.slice(0, 3)}-${date.slice(0, 4)}`
}
