/**
 * Gapless numbering: the counter row of a business, series and financial year
 * is incremented in the same IMMEDIATE transaction that writes the document,
 * so numbers are unique and without gaps even with several processes on one
 * database file (the write lock is taken when the transaction begins).
 */
import { and, eq, isNotNull, max, ne } from 'drizzle-orm'
import { sql } from 'drizzle-orm'
import type { Tx } from '../../../db/transact.js'
import { conflict, invalid } from '../../../errors.js'
import { documentNumber, financialYear, type Series } from '../calendar.js'
import { billingInvoiceCounters, billingInvoices } from '../schema.js'

/** The next number of this business's series in a financial year, in the caller's transaction. */
export async function nextSequence(tx: Tx, userId: number, series: Series, fy: string): Promise<number> {
  const row = (await tx
    .insert(billingInvoiceCounters)
    .values({ userId, series, financialYear: fy, lastNumber: 1 })
    .onConflictDoUpdate({
      target: [billingInvoiceCounters.userId, billingInvoiceCounters.series, billingInvoiceCounters.financialYear],
      set: { lastNumber: sql`${billingInvoiceCounters.lastNumber} + 1` },
    })
    .returning({ lastNumber: billingInvoiceCounters.lastNumber }))[0]
  return row.lastNumber
}

/** The date of the latest invoice issued in a financial year (cancelled ones included: their numbers stay used). */
export async function lastInvoiceDate(tx: Tx, userId: number, fy: string): Promise<string | null> {
  const row = (await tx
    .select({ last: max(billingInvoices.invoiceDate) })
    .from(billingInvoices)
    .where(and(eq(billingInvoices.userId, userId), eq(billingInvoices.financialYear, fy), isNotNull(billingInvoices.number), ne(billingInvoices.status, 'draft'))).limit(1))[0]
  return row?.last ?? null
}

/**
 * Numbers a document dated `date` (YYYY-MM-DD): not in the future, and not
 * before the last invoice of its financial year, so dates rise with numbers.
 */
export async function numberFor(tx: Tx, userId: number, series: Series, date: string, today: string, field = 'invoice_date') {
  if (date > today) throw invalid({ [field]: `The date cannot be in the future (today is ${today}).` }, { status: 422 })
  const fy = financialYear(date)
  const last = series === 'INV' ? await lastInvoiceDate(tx, userId, fy) : null
  if (last && date < last) throw invalid({ [field]: `The last invoice of ${fy} is dated ${last}: this one cannot be earlier.` }, { status: 422 })
  const sequence = await nextSequence(tx, userId, series, fy)
  if (sequence > 999_999) throw conflict(`The ${series} series of ${fy} is full (999,999 numbers).`)
  return { financialYear: fy, sequence, number: documentNumber(series, fy, sequence) }
}
