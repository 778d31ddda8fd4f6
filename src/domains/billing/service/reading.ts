/** Reading invoices: one with its lines, lists by status, and the live preview of a form. */
import { and, asc, desc, eq, gt, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import { likeIgnoringCase } from '../../../db/dialect.js'
import type { InvoiceDraft } from '../forms/invoice.js'
import { documentTitle, hsnSummary, type HsnLine } from '../documents.js'
import { computeInvoice, secondTaxName, supplyType, type InvoiceTotals, type LineInput, type Supply, type TaxClass } from '../gst.js'
import { balanceDue, billingInvoiceLines, billingInvoices, billingPayments, type CustomerRow, type InvoiceLineRow, type InvoiceRow, type PaymentRow, type ProductRow } from '../schema.js'
import { escapeLike, findCustomer, ownInvoice, productsById, type BillingContext } from './context.js'
import { findProfile } from './profile.js'

export type InvoiceStatus = 'draft' | 'issued' | 'partial' | 'overdue' | 'paid' | 'cancelled'
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['draft', 'issued', 'partial', 'overdue', 'paid', 'cancelled']

export interface InvoiceView {
  invoice: InvoiceRow
  status: InvoiceStatus
  lines: InvoiceLineRow[]
  totals: InvoiceTotals
  /** "Tax invoice", or "Bill of supply" when nothing on it is taxable (Rule 49) */
  title: string
  /** SGST, or UTGST in a union territory without a legislature */
  secondTax: 'SGST' | 'UTGST'
  hsn: HsnLine[]
  payments: PaymentRow[]
  balancePaise: number
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
  secondTax: 'SGST' | 'UTGST'
  title: string
  customer: CustomerRow | null
  lines: PreviewLine[]
  totals: InvoiceTotals
}

export type ListedInvoice = InvoiceRow & { displayStatus: InvoiceStatus }

/** What is still owed: the total, plus debit notes, less credit notes and payments. */
export function balanceOf(invoice: Pick<InvoiceRow, 'status' | 'totalPaise' | 'adjustedPaise' | 'paidPaise'>): number {
  return invoice.status === 'cancelled' ? 0 : invoice.totalPaise + invoice.adjustedPaise - invoice.paidPaise
}

/**
 * An invoice's status as people see it: issued with a balance past its due date is
 * overdue; some payments, partially paid; nothing left (payments or credit notes), paid.
 */
export function invoiceStatus(invoice: Pick<InvoiceRow, 'status' | 'dueDate' | 'totalPaise' | 'adjustedPaise' | 'paidPaise'>, today: string): InvoiceStatus {
  if (invoice.status !== 'issued') return invoice.status as InvoiceStatus
  if (balanceOf(invoice) <= 0) return 'paid'
  if (invoice.dueDate < today) return 'overdue'
  return invoice.paidPaise > 0 ? 'partial' : 'issued'
}

/** What the lines were computed with, as stored. */
export function storedLines(lines: InvoiceLineRow[]) {
  return lines.map((l) => ({ ...l, taxClass: l.taxClass as TaxClass }))
}

const LIST_LIMIT = 500

export function invoiceReading({ db, today }: BillingContext) {
  return {
    /** Whether the user may see invoice `id` (theirs): mutes ask it. */
    async canSee(userId: number, id: number): Promise<boolean> {
      return (await db.select({ id: billingInvoices.id }).from(billingInvoices).where(and(eq(billingInvoices.id, id), eq(billingInvoices.userId, userId))).limit(1))[0] !== undefined
    },

    async getInvoice(userId: number, id: number): Promise<InvoiceView> {
      const invoice = await ownInvoice(db, userId, id)
      const lines = await db.select().from(billingInvoiceLines).where(eq(billingInvoiceLines.invoiceId, id)).orderBy(asc(billingInvoiceLines.position))
      const inputs = storedLines(lines)
      const payments = await db.select().from(billingPayments).where(eq(billingPayments.invoiceId, id)).orderBy(asc(billingPayments.paidOn), asc(billingPayments.id))
      return {
        invoice,
        status: invoiceStatus(invoice, today()),
        lines,
        totals: computeInvoice(inputs, { supply: invoice.supply as Supply, lut: invoice.lut, reverseCharge: invoice.reverseCharge }),
        title: documentTitle(inputs.map((l) => l.taxClass)),
        secondTax: secondTaxName(invoice.placeOfSupply),
        hsn: hsnSummary(lines),
        payments,
        balancePaise: balanceOf(invoice),
      }
    },

    /** Newest first; `q` matches the number or the buyer's name. */
    async listInvoices(userId: number, opts: { status?: InvoiceStatus | null; q?: string; limit?: number } = {}): Promise<ListedInvoice[]> {
      const date = today()
      const where: SQL[] = [eq(billingInvoices.userId, userId)]
      switch (opts.status) {
        case 'draft':
        case 'cancelled':
          where.push(eq(billingInvoices.status, opts.status))
          break
        case 'paid':
          where.push(or(eq(billingInvoices.status, 'paid'), and(eq(billingInvoices.status, 'issued'), lte(balanceDue, 0)))!)
          break
        case 'issued':
          where.push(eq(billingInvoices.status, 'issued'), gt(balanceDue, 0), gte(billingInvoices.dueDate, date), eq(billingInvoices.paidPaise, 0))
          break
        case 'partial':
          where.push(eq(billingInvoices.status, 'issued'), gt(balanceDue, 0), gte(billingInvoices.dueDate, date), gt(billingInvoices.paidPaise, 0))
          break
        case 'overdue':
          where.push(eq(billingInvoices.status, 'issued'), gt(balanceDue, 0), lt(billingInvoices.dueDate, date))
          break
      }
      const term = opts.q?.trim()
      if (term) {
        const pattern = `%${escapeLike(term)}%`
        where.push(or(likeIgnoringCase(db, billingInvoices.number, pattern), likeIgnoringCase(db, billingInvoices.buyerName, pattern))!)
      }
      return (await db
        .select()
        .from(billingInvoices)
        .where(and(...where))
        // by date, then number (drafts, unnumbered, above), then id
        .orderBy(desc(billingInvoices.invoiceDate), sql`${billingInvoices.sequence} IS NULL DESC`, desc(billingInvoices.sequence), desc(billingInvoices.id))
        .limit(Math.min(opts.limit ?? 200, LIST_LIMIT)))
        .map((r) => ({ ...r, displayStatus: invoiceStatus(r, date) }))
    },

    /** The totals of a form being typed: unknown or others' products and customers are left out; nothing is written. */
    async preview(userId: number, draft: InvoiceDraft): Promise<Preview> {
      const profile = await findProfile(db, userId)
      const customer = draft.customerId === null ? null : (await findCustomer(db, userId, draft.customerId) ?? null)
      const placeOfSupply = draft.placeOfSupply ?? customer?.stateCode ?? null
      const supply = profile && placeOfSupply ? supplyType(profile.stateCode, placeOfSupply) : null
      const mode = { supply: supply ?? ('intra' as const), lut: draft.lut, reverseCharge: draft.reverseCharge }
      const products = await productsById(
        db,
        userId,
        draft.lines.map((l) => l.productId),
      )
      const known = draft.lines.filter((l) => products.has(l.productId))
      const inputs: LineInput[] = known.map((l) => {
        const p = products.get(l.productId)!
        return {
          quantityMilli: l.quantityMilli,
          unitPricePaise: l.unitPricePaise ?? p.unitPricePaise,
          discountBps: l.discountBps,
          rateBps: p.rateBps,
          taxClass: p.taxClass as TaxClass,
          cessBps: p.cessBps,
        }
      })
      const totals = computeInvoice(inputs, mode)
      return {
        supply,
        placeOfSupply,
        secondTax: secondTaxName(placeOfSupply ?? ''),
        title: documentTitle(inputs.map((l) => l.taxClass ?? 'taxable')),
        customer,
        lines: known.map((l, i) => ({ row: l.row, product: products.get(l.productId)!, unitPricePaise: inputs[i]!.unitPricePaise, amounts: totals.lines[i]! })),
        totals,
      }
    },
  }
}
