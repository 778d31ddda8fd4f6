/**
 * The owner's notifications about an invoice, written in the caller's transaction. Overdue is about the balance.
 * Issuing an invoice or a note is the owner's own doing (self-caused: they may turn those off).
 */
import type { Outbox, Tx } from '../../../db/transact.js'
import { formatPaise } from '../money.js'
import type { InvoiceRow, NoteRow } from '../schema.js'
import type { BillingContext } from './context.js'

export function invoiceLink(id: number) {
  return `/billing/invoices/${id}`
}

const money = (paise: number) => `₹${formatPaise(paise)}`

export function invoiceNotices({ notifications }: BillingContext) {
  const notify = async (tx: Tx, outbox: Outbox, invoice: InvoiceRow, kind: 'invoice_created' | 'invoice_paid' | 'invoice_overdue', title: string, message: string) =>
    notifications.createIn(tx, outbox, [invoice.userId], { kind, title, message, linkUrl: invoiceLink(invoice.id), linkText: 'View invoice', thread: `invoice:${invoice.id}`, selfCaused: kind === 'invoice_created' })

  return {
    created: async (tx: Tx, outbox: Outbox, invoice: InvoiceRow) =>
      notify(tx, outbox, invoice, 'invoice_created', `Invoice ${invoice.number} created`, `${money(invoice.totalPaise)} to ${invoice.buyerName}, due ${invoice.dueDate}`),
    /** Paid (by "Mark paid" on the notification, the invoice page or the API): its overdue notices are read. */
    paid: async (tx: Tx, outbox: Outbox, invoice: InvoiceRow) => {
      await notifications.readThreadIn(tx, outbox, invoice.userId, `invoice:${invoice.id}`, ['invoice_overdue'])
      return notify(tx, outbox, invoice, 'invoice_paid', `Invoice ${invoice.number} paid`, `${money(invoice.totalPaise)} from ${invoice.buyerName}`)
    },
    note: async (tx: Tx, outbox: Outbox, invoice: InvoiceRow, note: NoteRow) =>
      notify(
        tx,
        outbox,
        invoice,
        'invoice_created',
        `${note.kind === 'credit' ? 'Credit' : 'Debit'} note ${note.number} issued`,
        `${money(note.totalPaise)} against invoice ${invoice.number} to ${invoice.buyerName}: ${note.reason}`,
      ),
    overdue: async (tx: Tx, outbox: Outbox, invoice: InvoiceRow) =>
      notify(
        tx,
        outbox,
        invoice,
        'invoice_overdue',
        `Invoice ${invoice.number} is overdue`,
        `${money(invoice.totalPaise + invoice.adjustedPaise - invoice.paidPaise)} from ${invoice.buyerName} was due on ${invoice.dueDate}`,
      ),
  }
}

export type InvoiceNotices = ReturnType<typeof invoiceNotices>
