/** Invoices, their lines and payments, and the numbering counters of every series. Money is integer paise, quantities thousandths. */
import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from '../../accounts/schema.js'
import { billingCustomers, billingProducts } from './parties.js'

/**
 * The last number used per business, series (INV, CN, DN) and financial year.
 * Incremented in the same IMMEDIATE transaction that writes the document, so
 * numbers are gapless and unique even with several processes on one database file.
 */
export const billingInvoiceCounters = sqliteTable(
  'billing_invoice_counters',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    series: text('series').notNull().default('INV'),
    /** "2026-27" */
    financialYear: text('financial_year').notNull(),
    lastNumber: integer('last_number').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.series, t.financialYear] })],
)

export const billingInvoices = sqliteTable(
  'billing_invoices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /**
     * 'draft' (no number yet) | 'issued' | 'paid' (payments cover the total) | 'cancelled'
     * (its number stays used); "overdue" and "partially paid" are issued, by date and payments
     */
    status: text('status').notNull(),
    /** INV/26-27/00001 (earlier INV/2026-27/0001); null while a draft */
    number: text('number'),
    financialYear: text('financial_year'),
    sequence: integer('sequence'),
    customerId: integer('customer_id')
      .notNull()
      .references(() => billingCustomers.id, { onDelete: 'restrict' }),
    /** YYYY-MM-DD (India): the day it was issued (or drafted) */
    invoiceDate: text('invoice_date').notNull(),
    /** The invoice date the user chose for a draft; null: the day it is issued. */
    requestedDate: text('requested_date'),
    dueDate: text('due_date').notNull(),
    /** State code of the place of supply */
    placeOfSupply: text('place_of_supply').notNull(),
    /** 'intra' (CGST + SGST or UTGST) | 'inter' (IGST) */
    supply: text('supply').notNull(),
    /** Zero-rated supply (export, SEZ) under LUT or bond: no IGST charged. */
    lut: integer('lut', { mode: 'boolean' }).notNull().default(false),
    /** Tax payable by the recipient (Rule 46(p)). */
    reverseCharge: integer('reverse_charge', { mode: 'boolean' }).notNull().default(false),
    /** Delivery address when it is not the billing address (Rule 46(o)). */
    shipToAddress: text('ship_to_address').notNull().default(''),
    // The parties as they were when the invoice was written: later edits of the
    // profile or the customer do not change an invoice.
    sellerName: text('seller_name').notNull(),
    sellerGstin: text('seller_gstin').notNull(),
    sellerStateCode: text('seller_state_code').notNull(),
    sellerAddress: text('seller_address').notNull(),
    sellerSignatory: text('seller_signatory').notNull().default(''),
    buyerName: text('buyer_name').notNull(),
    buyerGstin: text('buyer_gstin'),
    buyerStateCode: text('buyer_state_code').notNull(),
    buyerAddress: text('buyer_address').notNull(),
    buyerEmail: text('buyer_email').notNull(),
    notes: text('notes').notNull().default(''),
    taxablePaise: integer('taxable_paise').notNull(),
    discountPaise: integer('discount_paise').notNull(),
    cgstPaise: integer('cgst_paise').notNull(),
    sgstPaise: integer('sgst_paise').notNull(),
    igstPaise: integer('igst_paise').notNull(),
    cessPaise: integer('cess_paise').notNull().default(0),
    roundOffPaise: integer('round_off_paise').notNull(),
    totalPaise: integer('total_paise').notNull(),
    /** the sum of its payments */
    paidPaise: integer('paid_paise').notNull().default(0),
    /** debit notes minus credit notes against it: the balance is total + adjusted - paid */
    adjustedPaise: integer('adjusted_paise').notNull().default(0),
    issuedAt: integer('issued_at'),
    /** when payments first covered the total */
    paidAt: integer('paid_at'),
    cancelledAt: integer('cancelled_at'),
    cancelReason: text('cancel_reason').notNull().default(''),
    /** Set once, by whichever process first claims the overdue notification. */
    overdueNotifiedAt: integer('overdue_notified_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('billing_invoices_number_idx').on(t.userId, t.number),
    index('billing_invoices_user_idx').on(t.userId, t.id),
    index('billing_invoices_customer_idx').on(t.customerId),
    // The overdue scan only touches issued invoices not yet notified.
    index('billing_invoices_overdue_idx').on(t.dueDate).where(sql`status = 'issued' AND overdue_notified_at IS NULL`),
    check('billing_invoices_status_check', sql`${t.status} IN ('draft', 'issued', 'paid', 'cancelled')`),
  ],
)

export const billingInvoiceLines = sqliteTable(
  'billing_invoice_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => billingInvoices.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    productId: integer('product_id')
      .notNull()
      .references(() => billingProducts.id, { onDelete: 'restrict' }),
    /** product name and HSN/SAC as invoiced */
    description: text('description').notNull(),
    hsn: text('hsn').notNull(),
    quantityMilli: integer('quantity_milli').notNull(),
    unit: text('unit').notNull().default('NOS'),
    unitPricePaise: integer('unit_price_paise').notNull(),
    discountBps: integer('discount_bps').notNull(),
    rateBps: integer('rate_bps').notNull(),
    taxClass: text('tax_class').notNull().default('taxable'),
    cessBps: integer('cess_bps').notNull().default(0),
    discountPaise: integer('discount_paise').notNull(),
    taxablePaise: integer('taxable_paise').notNull(),
    cgstPaise: integer('cgst_paise').notNull(),
    sgstPaise: integer('sgst_paise').notNull(),
    igstPaise: integer('igst_paise').notNull(),
    cessPaise: integer('cess_paise').notNull().default(0),
    totalPaise: integer('total_paise').notNull(),
  },
  (t) => [index('billing_invoice_lines_invoice_idx').on(t.invoiceId, t.position), index('billing_invoice_lines_product_idx').on(t.productId)],
)

/** Money received against an issued invoice; several make a partial payment. */
export const billingPayments = sqliteTable(
  'billing_payments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => billingInvoices.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** YYYY-MM-DD, the day received (India) */
    paidOn: text('paid_on').notNull(),
    amountPaise: integer('amount_paise').notNull(),
    /** cash | upi | bank | cheque | card | other */
    mode: text('mode').notNull(),
    reference: text('reference').notNull().default(''),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('billing_payments_invoice_idx').on(t.invoiceId, t.id), check('billing_payments_amount_check', sql`${t.amountPaise} > 0`)],
)

/** What is still owed on an invoice (negative: owed back to the buyer), as SQL. */
export const balanceDue = sql<number>`${billingInvoices.totalPaise} + ${billingInvoices.adjustedPaise} - ${billingInvoices.paidPaise}`

export type InvoiceRow = typeof billingInvoices.$inferSelect
export type InvoiceLineRow = typeof billingInvoiceLines.$inferSelect
export type PaymentRow = typeof billingPayments.$inferSelect
