/**
 * A customer's ledger: what was invoiced (debit), credited or debited by notes,
 * and paid, by date, with the running balance the customer owes. Cancelled
 * invoices and drafts are not in it.
 */
import { and, eq, inArray, isNotNull, ne } from 'drizzle-orm'
import { billingInvoices, billingNotes, billingPayments } from '../schema.js'
import { ownCustomer, type BillingContext } from './context.js'

export interface LedgerEntry {
  date: string
  kind: 'invoice' | 'credit_note' | 'debit_note' | 'payment'
  /** the document's number, or the payment's mode and reference */
  reference: string
  invoiceId: number
  debitPaise: number
  creditPaise: number
  balancePaise: number
}

const ORDER: Record<LedgerEntry['kind'], number> = { invoice: 0, debit_note: 1, credit_note: 2, payment: 3 }

export function ledgerService({ db }: BillingContext) {
  return {
    async ledgerOf(userId: number, customerId: number): Promise<{ entries: LedgerEntry[]; balancePaise: number }> {
      await ownCustomer(db, userId, customerId)
      const invoices = await db
        .select()
        .from(billingInvoices)
        .where(and(eq(billingInvoices.userId, userId), eq(billingInvoices.customerId, customerId), isNotNull(billingInvoices.number), ne(billingInvoices.status, 'cancelled')))
      const ids = invoices.map((i) => i.id)
      const notes = ids.length ? await db.select().from(billingNotes).where(inArray(billingNotes.invoiceId, ids)) : []
      const payments = ids.length ? await db.select().from(billingPayments).where(inArray(billingPayments.invoiceId, ids)) : []
      const rows: Array<Omit<LedgerEntry, 'balancePaise'> & { seq: number }> = [
        ...invoices.map((i) => ({ date: i.invoiceDate, kind: 'invoice' as const, reference: i.number!, invoiceId: i.id, debitPaise: i.totalPaise, creditPaise: 0, seq: i.id })),
        ...notes.map((n) => ({
          date: n.noteDate,
          kind: n.kind === 'credit' ? ('credit_note' as const) : ('debit_note' as const),
          reference: n.number,
          invoiceId: n.invoiceId,
          debitPaise: n.kind === 'debit' ? n.totalPaise : 0,
          creditPaise: n.kind === 'credit' ? n.totalPaise : 0,
          seq: n.id,
        })),
        ...payments.map((p) => ({ date: p.paidOn, kind: 'payment' as const, reference: [p.mode, p.reference].filter(Boolean).join(' '), invoiceId: p.invoiceId, debitPaise: 0, creditPaise: p.amountPaise, seq: p.id })),
      ]
      rows.sort((a, b) => a.date.localeCompare(b.date) || ORDER[a.kind] - ORDER[b.kind] || a.seq - b.seq)
      let balancePaise = 0
      const entries = rows.map(({ seq: _seq, ...r }) => {
        balancePaise += r.debitPaise - r.creditPaise
        return { ...r, balancePaise }
      })
      return { entries, balancePaise }
    },
  }
}

/** The ledger as CSV (RFC 4180), amounts in rupees with two decimals. */
export function ledgerCsv(entries: LedgerEntry[]): string {
  const rupees = (paise: number) => (paise < 0 ? '-' : '') + `${Math.floor(Math.abs(paise) / 100)}.${String(Math.abs(paise) % 100).padStart(2, '0')}`
  const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
  const lines = [['date', 'kind', 'reference', 'debit', 'credit', 'balance'].join(',')]
  for (const e of entries) lines.push([e.date, e.kind, cell(e.reference), rupees(e.debitPaise), rupees(e.creditPaise), rupees(e.balancePaise)].join(','))
  return lines.join('\r\n') + '\r\n'
}
