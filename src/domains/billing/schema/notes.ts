/** Credit and debit notes and their lines. */
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from '../../accounts/schema.js'
import { billingInvoiceLines, billingInvoices } from './invoices.js'

/**
 * Credit and debit notes (Section 34) against an issued invoice: own series (CN,
 * DN) per financial year, numbered like invoices; amounts are positive, the kind
 * says which way they go.
 */
export const billingNotes = sqliteTable(
  'billing_notes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => billingInvoices.id, { onDelete: 'restrict' }),
    /** 'credit' | 'debit' */
    kind: text('kind').notNull(),
    /** CN/26-27/00001, DN/26-27/00001 */
    number: text('number').notNull(),
    financialYear: text('financial_year').notNull(),
    sequence: integer('sequence').notNull(),
    noteDate: text('note_date').notNull(),
    reason: text('reason').notNull(),
    taxablePaise: integer('taxable_paise').notNull(),
    cgstPaise: integer('cgst_paise').notNull(),
    sgstPaise: integer('sgst_paise').notNull(),
    igstPaise: integer('igst_paise').notNull(),
    cessPaise: integer('cess_paise').notNull(),
    roundOffPaise: integer('round_off_paise').notNull(),
    totalPaise: integer('total_paise').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('billing_notes_number_idx').on(t.userId, t.number),
    index('billing_notes_invoice_idx').on(t.invoiceId),
    check('billing_notes_kind_check', sql`${t.kind} IN ('credit', 'debit')`),
  ],
)

export const billingNoteLines = sqliteTable(
  'billing_note_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    noteId: integer('note_id')
      .notNull()
      .references(() => billingNotes.id, { onDelete: 'cascade' }),
    /** the invoice line it credits or debits */
    invoiceLineId: integer('invoice_line_id')
      .notNull()
      .references(() => billingInvoiceLines.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
    description: text('description').notNull(),
    hsn: text('hsn').notNull(),
    unit: text('unit').notNull(),
    quantityMilli: integer('quantity_milli').notNull(),
    unitPricePaise: integer('unit_price_paise').notNull(),
    discountBps: integer('discount_bps').notNull(),
    rateBps: integer('rate_bps').notNull(),
    taxClass: text('tax_class').notNull(),
    cessBps: integer('cess_bps').notNull(),
    taxablePaise: integer('taxable_paise').notNull(),
    cgstPaise: integer('cgst_paise').notNull(),
    sgstPaise: integer('sgst_paise').notNull(),
    igstPaise: integer('igst_paise').notNull(),
    cessPaise: integer('cess_paise').notNull(),
    totalPaise: integer('total_paise').notNull(),
  },
  (t) => [index('billing_note_lines_note_idx').on(t.noteId, t.position), index('billing_note_lines_invoice_line_idx').on(t.invoiceLineId)],
)

export type NoteRow = typeof billingNotes.$inferSelect
export type NoteLineRow = typeof billingNoteLines.$inferSelect
