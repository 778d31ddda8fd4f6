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

