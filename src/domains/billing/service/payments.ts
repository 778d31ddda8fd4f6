/**
 * Payments against an issued invoice, partial or full, and cancelling an
 * invoice nobody has paid. The invoice keeps the running sum (paidPaise); when
 * it reaches the total the invoice is paid and the owner hears `invoice_paid`.
 */
import { and, eq } from 'drizzle-orm'
import { transact } from '../../../db/transact.js'
import { conflict, invalid } from '../../../errors.js'
import { formatPaise } from '../money.js'
import type { PaymentInput } from '../forms/payments-notes.js'
import { billingInvoices, billingNotes, billingPayments, type InvoiceRow, type PaymentRow } from '../schema.js'
import { ownInvoice, type BillingContext } from './context.js'
import { balanceOf } from './reading.js'
import type { InvoiceNotices } from './notices.js'

export function paymentService({ db, bus, now, today }: BillingContext, notices: InvoiceNotices) {
  function payable(invoice: InvoiceRow) {
    if (invoice.status === 'draft') throw conflict('A draft cannot be paid: issue it first.')
    if (invoice.status === 'cancelled') throw conflict(`Invoice ${invoice.number} is cancelled.`)
    if (invoice.status === 'paid') throw conflict(`Invoice ${invoice.number} is already paid.`)
    const balance = balanceOf(invoice)
    if (balance <= 0) throw conflict(`Nothing is due on invoice ${invoice.number}.`)
    return balance
  }

  const service = {
    /**
     * Records money received. Not more than the balance, not before the invoice
     * date, not in the future. Bad input: 422 with field messages.
     */
    async recordPayment(userId: number, invoiceId: number, input: PaymentInput): Promise<PaymentRow> {
      return transact(db, bus, async (tx, outbox) => {
        const invoice = await ownInvoice(tx, userId, invoiceId)
        const balance = payable(invoice)
        if (input.amountPaise > balance) throw invalid({ amount: `At most the balance due, ₹${formatPaise(balance)}.` }, { status: 422 })
        if (input.paidOn > today()) throw invalid({ paid_on: `The date cannot be in the future (today is ${today()}).` }, { status: 422 })
        if (input.paidOn < invoice.invoiceDate) throw invalid({ paid_on: `The invoice is dated ${invoice.invoiceDate}: a payment cannot be earlier.` }, { status: 422 })
        const payment = (await tx
          .insert(billingPayments)
          .values({ invoiceId, userId, ...input, createdAt: now() })
          .returning())[0]
        const paidPaise = invoice.paidPaise + input.amountPaise
        const full = paidPaise === invoice.totalPaise + invoice.adjustedPaise
        const updated = (await tx
          .update(billingInvoices)
          .set(full ? { paidPaise, status: 'paid', paidAt: now() } : { paidPaise })
          .where(and(eq(billingInvoices.id, invoiceId), eq(billingInvoices.paidPaise, invoice.paidPaise)))
          .returning())[0]!
        if (full) await notices.paid(tx, outbox, updated)
        return payment
      })
    },

    /** The whole balance, received today (the "Mark paid" button). */
    async markPaid(userId: number, invoiceId: number): Promise<PaymentRow> {
      const invoice = await ownInvoice(db, userId, invoiceId)
      return service.recordPayment(userId, invoiceId, { paidOn: today(), amountPaise: payable(invoice), mode: 'other', reference: '' })
    },

    /** Cancels an issued invoice nobody has paid: its number stays used, it shows as cancelled. */
    async cancelInvoice(userId: number, invoiceId: number, reason: string): Promise<InvoiceRow> {
      return transact(db, bus, async (tx) => {
        const invoice = await ownInvoice(tx, userId, invoiceId)
        if (invoice.status === 'draft') throw conflict('A draft has no number: delete it instead.')
        if (invoice.status === 'cancelled') throw conflict(`Invoice ${invoice.number} is already cancelled.`)
        if (invoice.paidPaise > 0) throw conflict(`Invoice ${invoice.number} has payments: issue a credit note instead.`)
        if ((await tx.select({ id: billingNotes.id }).from(billingNotes).where(eq(billingNotes.invoiceId, invoiceId)).limit(1))[0])
          throw conflict(`Invoice ${invoice.number} has credit or debit notes: it cannot be cancelled.`)
        if (!reason) throw invalid({ reason: 'Say why it is cancelled.' }, { status: 422 })
        return (await tx
          .update(billingInvoices)
          .set({ status: 'cancelled', cancelledAt: now(), cancelReason: reason })
          .where(eq(billingInvoices.id, invoiceId))
          .returning())[0]!
      })
    },
  }
  return service
}
