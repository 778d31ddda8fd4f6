/**
 * Gapless numbering: the counter row of a business and financial year is
 * incremented in the same IMMEDIATE transaction that writes the document, so
 * numbers are unique and without gaps even with several processes on one
 * database file (the write lock is taken when the transaction begins).
 */
import { sql } from 'drizzle-orm'
import type { Tx } from '../../../db/transact.js'
import { billingInvoiceCounters } from '../schema.js'

/** The next number of this business's financial year, in the caller's transaction. */
export function nextSequence(tx: Tx, userId: number, financialYear: string): number {
  const row = tx
    .insert(billingInvoiceCounters)
    .values({ userId, financialYear, lastNumber: 1 })
    .onConflictDoUpdate({
      target: [billingInvoiceCounters.userId, billingInvoiceCounters.financialYear],
      set: { lastNumber: sql`${billingInvoiceCounters.lastNumber} + 1` },
    })
    .returning({ lastNumber: billingInvoiceCounters.lastNumber })
    .get()
  return row.lastNumber
}
