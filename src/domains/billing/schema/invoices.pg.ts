/**
 * PostgreSQL mirror of invoices.ts (see accounts/schema.pg.ts): paise are bigint;
 * quantities (thousandths, at most 10^9 by forms/fields.ts), basis points,
 * positions and sequence numbers are integer.
 */
import { sql } from 'drizzle-orm'
import { bigint, boolean, check, index, integer, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from '../../accounts/schema.pg.js'
import { billingCustomers, billingProducts } from './parties.pg.js'

export const billingInvoiceCounters = pgTable(
  'billing_invoice_counters',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    series: text('series').notNull().default('INV'),
    financialYear: text('financial_year').notNull(),
    lastNumber: integer('last_number').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.series, t.financialYear] })],
)

const paise = (name: string) => bigint(name, { mode: 'number' })
const millis = (name: string) => bigint(name, { mode: 'number' })

export const billingInvoices = pgTable(
  'billing_invoices',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status').notNull(),
    number: text('number'),
    financialYear: text('financial_year'),
    sequence: integer('sequence'),
    customerId: integer('customer_id')
      .notNull()
      .references(() => billingCustomers.id, { onDelete: 'restrict' }),
    invoiceDate: text('invoice_date').notNull(),
    requestedDate: text('requested_date'),
    dueDate: text('due_date').notNull(),
    placeOfSupply: text('place_of_supply').notNull(),
    supply: text('supply').notNull(),
    lut: boolean('lut').notNull().default(false),
    reverseCharge: boolean('reverse_charge').notNull().default(false),
    shipToAddress: text('ship_to_address').notNull().default(''),
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
    taxablePaise: paise('taxable_paise').notNull(),
    discountPaise: paise('discount_paise').notNull(),
    cgstPaise: paise('cgst_paise').notNull(),
    sgstPaise: paise('sgst_paise').notNull(),
    igstPaise: paise('igst_paise').notNull(),
    cessPaise: paise('cess_paise').notNull().default(0),
    roundOffPaise: paise('round_off_paise').notNull(),
    totalPaise: paise('total_paise').notNull(),
    paidPaise: paise('paid_paise').notNull().default(0),
    adjustedPaise: paise('adjusted_paise').notNull().default(0),
    issuedAt: millis('issued_at'),
    paidAt: millis('paid_at'),
    cancelledAt: millis('cancelled_at'),
    cancelReason: text('cancel_reason').notNull().default(''),
    overdueNotifiedAt: millis('overdue_notified_at'),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('billing_invoices_number_idx').on(t.userId, t.number),
    index('billing_invoices_user_idx').on(t.userId, t.id),
    index('billing_invoices_customer_idx').on(t.customerId),
    index('billing_invoices_overdue_idx').on(t.dueDate).where(sql`status = 'issued' AND overdue_notified_at IS NULL`),
    check('billing_invoices_status_check', sql`${t.status} IN ('draft', 'issued', 'paid', 'cancelled')`),
  ],
)

export const billingInvoiceLines = pgTable(
  'billing_invoice_lines',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => billingInvoices.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    productId: integer('product_id')
      .notNull()
      .references(() => billingProducts.id, { onDelete: 'restrict' }),
    description: text('description').notNull(),
    hsn: text('hsn').notNull(),
    quantityMilli: integer('quantity_milli').notNull(),
    unit: text('unit').notNull().default('NOS'),
    unitPricePaise: paise('unit_price_paise').notNull(),
    discountBps: integer('discount_bps').notNull(),
    rateBps: integer('rate_bps').notNull(),
    taxClass: text('tax_class').notNull().default('taxable'),
    cessBps: integer('cess_bps').notNull().default(0),
    discountPaise: paise('discount_paise').notNull(),
    taxablePaise: paise('taxable_paise').notNull(),
    cgstPaise: paise('cgst_paise').notNull(),
    sgstPaise: paise('sgst_paise').notNull(),
    igstPaise: paise('igst_paise').notNull(),
    cessPaise: paise('cess_paise').notNull().default(0),
    totalPaise: paise('total_paise').notNull(),
  },
  (t) => [index('billing_invoice_lines_invoice_idx').on(t.invoiceId, t.position), index('billing_invoice_lines_product_idx').on(t.productId)],
)

export const billingPayments = pgTable(
  'billing_payments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => billingInvoices.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    paidOn: text('paid_on').notNull(),
    amountPaise: paise('amount_paise').notNull(),
    mode: text('mode').notNull(),
    reference: text('reference').notNull().default(''),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [index('billing_payments_invoice_idx').on(t.invoiceId, t.id), check('billing_payments_amount_check', sql`${t.amountPaise} > 0`)],
)
