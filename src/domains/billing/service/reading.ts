/** Reading invoices: one with its lines, lists by status, and the live preview of a form. */
import { and, asc, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm'
import type { InvoiceDraft } from '../forms.js'
import { computeInvoice, supplyType, type InvoiceTotals, type LineInput, type Supply } from '../gst.js'
import { billingInvoiceLines, billingInvoices, type CustomerRow, type InvoiceLineRow, type InvoiceRow, type ProductRow } from '../schema.js'
import { escapeLike, findCustomer, ownInvoice, productsById, type BillingContext } from './context.js'
import { findProfile } from './profile.js'

export type InvoiceStatus = 'draft' | 'issued' | 'overdue' | 'paid'
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['draft', 'issued', 'overdue', 'paid']

export interface InvoiceView {
  invoice: InvoiceRow
  status: InvoiceStatus
  lines: InvoiceLineRow[]
  totals: InvoiceTotals
}

export interface PreviewLine {
  row: number
  product: ProductRow
  unitPricePaise: number
  amounts: InvoiceTotals['lines'][number]
}

export interface Preview {
  supply: Supply | null
  placeOfSupply: string | null
  customer: CustomerRow | null
  lines: PreviewLine[]
  totals: InvoiceTotals
}

export type ListedInvoice = InvoiceRow & { displayStatus: InvoiceStatus }

/** An invoice's status as people see it: issued and past its due date is overdue. */
export function invoiceStatus(invoice: Pick<InvoiceRow, 'status' | 'dueDate'>, today: string): InvoiceStatus {
  if (invoice.status === 'issued' && invoice.dueDate < today) return 'overdue'
  return invoice.status as InvoiceStatus
}

const LIST_LIMIT = 500

export function invoiceReading({ db, today }: BillingContext) {
  return {
    getInvoice(userId: number, id: number): InvoiceView {
      const invoice = ownInvoice(db, userId, id)
      const lines = db.select().from(billingInvoiceLines).where(eq(billingInvoiceLines.invoiceId, id)).orderBy(asc(billingInvoiceLines.position)).all()
      return { invoice, status: invoiceStatus(invoice, today()), lines, totals: computeInvoice(lines, invoice.supply as Supply) }
    },

    /** Newest first; `q` matches the number or the buyer's name. */
    listInvoices(userId: number, opts: { status?: InvoiceStatus | null; q?: string; limit?: number } = {}): ListedInvoice[] {
      const date = today()
      const where: SQL[] = [eq(billingInvoices.userId, userId)]
      switch (opts.status) {
        case 'draft':
        case 'paid':
          where.push(eq(billingInvoices.status, opts.status))
          break
        case 'issued':
          where.push(eq(billingInvoices.status, 'issued'), sql`${billingInvoices.dueDate} >= ${date}`)
          break
        case 'overdue':
          where.push(eq(billingInvoices.status, 'issued'), lt(billingInvoices.dueDate, date))
          break
      }
      const term = opts.q?.trim()
      if (term) {
        const pattern = `%${escapeLike(term)}%`
        where.push(or(sql`${billingInvoices.number} LIKE ${pattern} ESCAPE '\\'`, sql`${billingInvoices.buyerName} LIKE ${pattern} ESCAPE '\\'`)!)
      }
      return db
        .select()
        .from(billingInvoices)
        .where(and(...where))
        // by date, then number (drafts, unnumbered, above), then id
        .orderBy(desc(billingInvoices.invoiceDate), sql`${billingInvoices.sequence} IS NULL DESC`, desc(billingInvoices.sequence), desc(billingInvoices.id))
        .limit(Math.min(opts.limit ?? 200, LIST_LIMIT))
        .all()
        .map((r) => ({ ...r, displayStatus: invoiceStatus(r, date) }))
    },

    /** The totals of a form being typed: unknown or others' products and customers are left out; nothing is written. */
    preview(userId: number, draft: InvoiceDraft): Preview {
      const profile = findProfile(db, userId)
      const customer = draft.customerId === null ? null : (findCustomer(db, userId, draft.customerId) ?? null)
      const placeOfSupply = draft.placeOfSupply ?? customer?.stateCode ?? null
      const supply = profile && placeOfSupply ? supplyType(profile.stateCode, placeOfSupply) : null
      const products = productsById(
        db,
        userId,
        draft.lines.map((l) => l.productId),
      )
      const known = draft.lines.filter((l) => products.has(l.productId))
      const inputs: LineInput[] = known.map((l) => {
        const p = products.get(l.productId)!
        return { quantityMilli: l.quantityMilli, unitPricePaise: l.unitPricePaise ?? p.unitPricePaise, discountBps: l.discountBps, rateBps: p.rateBps }
      })
      const totals = computeInvoice(inputs, supply ?? 'intra')
      return {
        supply,
        placeOfSupply,
        customer,
        lines: known.map((l, i) => ({ row: l.row, product: products.get(l.productId)!, unitPricePaise: inputs[i]!.unitPricePaise, amounts: totals.lines[i]! })),
        totals,
      }
    },
  }
}
