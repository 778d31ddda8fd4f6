/** The billing service: profile, catalog (customers, products), invoices, payments and cancellation, credit and debit notes, customer ledgers, the monthly GSTR-1 summary, overdue notices. */
import { catalogService } from './catalog.js'
import { billingContext, type BillingServiceDeps } from './context.js'
import { gstr1Service } from './gstr1.js'
import { invoiceWriting } from './invoices.js'
import { invoiceNotices } from './notices.js'
import { ledgerService } from './ledger.js'
import { noteService } from './notes.js'
import { overdueService } from './overdue.js'
import { paymentService } from './payments.js'
import { profileService } from './profile.js'
import { invoiceReading } from './reading.js'

export type { BillingServiceDeps } from './context.js'
export { DEFAULT_PAYMENT_TERMS_DAYS } from './invoices.js'
export { invoiceLink } from './notices.js'
export type { NoteDocument, NoteView } from './notes.js'
export { ledgerCsv, type LedgerEntry } from './ledger.js'
export { INVOICE_STATUSES, invoiceStatus, type InvoiceStatus, type InvoiceView, type ListedInvoice, type Preview } from './reading.js'

export function createBillingService(deps: BillingServiceDeps) {
  const ctx = billingContext(deps)
  const notices = invoiceNotices(ctx)
  return {
    now: ctx.now,
    today: ctx.today,
    ...profileService(ctx),
    ...catalogService(ctx),
    ...invoiceWriting(ctx, notices),
    ...invoiceReading(ctx),
    ...paymentService(ctx, notices),
    ...noteService(ctx, notices),
    ...ledgerService(ctx),
    ...gstr1Service(ctx),
    ...overdueService(ctx, notices),
  }
}

export type BillingService = ReturnType<typeof createBillingService>
