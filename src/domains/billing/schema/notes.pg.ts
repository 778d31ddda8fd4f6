/** PostgreSQL mirror of notes.ts (see accounts/schema.pg.ts and invoices.pg.ts for the column types). */
import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from '../../accounts/schema.pg.js'
import { billingInvoiceLines, billingInvoices } from './invoices.pg.js'

const paise = (name: string) => bigint(name, { mode: 'number' })

export const billingNotes = pgTable(
  'billing_notes',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    invoiceId: integer('invoice_id')
      .notNull()
      .references(() => billingInvoices.id, { onDelete: 'restrict' }),
    kind: text('kind').notNull(),
    number: text('number').notNull(),
    financialYear: text('financial_year').notNull(),
    sequence: integer('sequence').notNull(),
    noteDate: text('note_date').notNull(),
    reason: text('reason').notNull(),
    taxablePaise: paise('taxable_paise').notNull(),
    cgstPaise: paise('cgst_paise').notNull(),
    sgstPaise: paise('sgst_paise').notNull(),
    igstPaise: paise('igst_paise').notNull(),
    cessPaise: paise('cess_paise').notNull(),
    roundOffPaise: paise('round_off_paise').notNull(),
    totalPaise: paise('total_paise').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    uniqueIndex('billing_notes_number_idx').on(t.userId, t.number),
    index('billing_notes_invoice_idx').on(t.invoiceId),
    check('billing_notes_kind_check', sql`${t.kind} IN ('credit', 'debit')`),
  ],
)

export const billingNoteLines = pgTable(
  'billing_note_lines',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    noteId: integer('note_id')
      .notNull()
      .references(() => billingNotes.id, { onDelete: 'cascade' }),
    invoiceLineId: integer('invoice_line_id')
      .notNull()
      .references(() => billingInvoiceLines.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
    description: text('description').notNull(),
    hsn: text('hsn').notNull(),
    unit: text('unit').notNull(),
    quantityMilli: integer('quantity_milli').notNull(),
    unitPricePaise: paise('unit_price_paise').notNull(),
    discountBps: integer('discount_bps').notNull(),
    rateBps: integer('rate_bps').notNull(),
    taxClass: text('tax_class').notNull(),
    cessBps: integer('cess_bps').notNull(),
    taxablePaise: paise('taxable_paise').notNull(),
    cgstPaise: paise('cgst_paise').notNull(),
    sgstPaise: paise('sgst_paise').notNull(),
    igstPaise: paise('igst_paise').notNull(),
    cessPaise: paise('cess_paise').notNull(),
    totalPaise: paise('total_paise').notNull(),
  },
  (t) => [index('billing_note_lines_note_idx').on(t.noteId, t.position), index('billing_note_lines_invoice_line_idx').on(t.invoiceLineId)],
)
