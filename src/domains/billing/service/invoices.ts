/**
 * Writing invoices: a draft is saved (and rewritten) freely; issuing gives it
 * the next number of its financial year and notifies the owner, in the same
 * IMMEDIATE transaction. Issued invoices never change.
 */
import { and, eq } from 'drizzle-orm'
import { transact, type Outbox, type Tx } from '../../../db/transact.js'
import { conflict, hasErrors, invalid, type FieldErrors } from '../../../errors.js'
import { addDays } from '../calendar.js'
import type { InvoiceDraft } from '../forms/invoice.js'
import { documentAmounts, lineAmountColumns } from '../documents.js'
import { computeInvoice, lineGrossPaise, MAX_LINE_PAISE, supplyType, type TaxClass } from '../gst.js'
import { billingInvoiceLines, billingInvoices, type InvoiceRow } from '../schema.js'
import { findCustomer, ownInvoice, productsById, type BillingContext } from './context.js'
import type { InvoiceNotices } from './notices.js'
import { numberFor } from './numbering.js'
import { findProfile } from './profile.js'

/** Days from the invoice date to the due date when the form leaves it empty. */
export const DEFAULT_PAYMENT_TERMS_DAYS = 30

/** Rule 46(f): an unregistered buyer of an invoice this large (₹50,000) must have an address on it. */
export const UNREGISTERED_ADDRESS_FROM_PAISE = 50_000_00

export function invoiceWriting(ctx: BillingContext, notices: InvoiceNotices) {
  const { db, bus, now, today } = ctx

  /**
   * Gives a draft the next number, its date (chosen, or today), and the business's
   * details as they are now (an address changed since the draft is the new one).
   */
  async function issueIn(tx: Tx, outbox: Outbox, invoice: InvoiceRow): Promise<InvoiceRow> {
    const date = invoice.requestedDate ?? today()
    if (invoice.dueDate < date) throw conflict(`The due date ${invoice.dueDate} is before the invoice date (${date}); change it first.`)
    const profile = await findProfile(tx, invoice.userId)
    if (!profile) throw conflict('Fill in your business profile first (legal name, GSTIN, state).')
    if (profile.stateCode !== invoice.sellerStateCode) throw conflict('Your business state changed since this draft was saved: save the draft again to recompute its tax.')
    const numbered = await numberFor(tx, invoice.userId, 'INV', date, today())
    const issued = (await tx
      .update(billingInvoices)
      .set({
        status: 'issued',
        ...numbered,
        invoiceDate: date,
        issuedAt: now(),
        sellerName: profile.legalName,
        sellerGstin: profile.gstin,
        sellerAddress: profile.address,
        sellerSignatory: profile.signatory,
      })
      .where(and(eq(billingInvoices.id, invoice.id), eq(billingInvoices.status, 'draft')))
      .returning())[0]
    if (!issued) throw conflict('Only a draft can be issued.')
    await notices.created(tx, outbox, issued)
    return issued
  }

  /** Writes a new invoice (`existing` null) or rewrites a draft, as a draft or issued at once. */
  async function saveIn(tx: Tx, outbox: Outbox, userId: number, existing: InvoiceRow | null, draft: InvoiceDraft, issue: boolean): Promise<InvoiceRow> {
    if (existing && existing.status !== 'draft') throw conflict(`Invoice ${existing.number} is issued and cannot be changed.`)
    const errors: FieldErrors = {}
    const profile = await findProfile(tx, userId)
    if (!profile) errors.form = 'Fill in your business profile first (legal name, GSTIN, state).'
    const customer = draft.customerId === null ? undefined : await findCustomer(tx, userId, draft.customerId)
    if (!customer) errors.customer_id = 'Choose one of your customers.'
    const products = await productsById(
      tx,
      userId,
      draft.lines.map((l) => l.productId),
    )
    for (const l of draft.lines) if (!products.has(l.productId)) errors[`line_${l.row}`] = 'Choose one of your products.'
    if (!draft.lines.length) errors.lines = 'Add at least one line.'
    const date = draft.invoiceDate ?? today()
    if (date > today()) errors.invoice_date = `The invoice date cannot be in the future (today is ${today()}).`
    const dueDate = draft.dueDate ?? addDays(date, DEFAULT_PAYMENT_TERMS_DAYS)
    if (dueDate < date) errors.due_date = `The due date cannot be before the invoice date (${date}).`
    const lines = draft.lines.flatMap((l) => {
      const product = products.get(l.productId)
      if (!product) return []
      const unitPricePaise = l.unitPricePaise ?? product.unitPricePaise
      if (lineGrossPaise(l.quantityMilli, unitPricePaise) > MAX_LINE_PAISE) errors[`line_${l.row}`] = 'This line comes to more than ₹10,000 crore: split it.'
      return [{ ...l, product, unitPricePaise, rateBps: product.rateBps, unit: product.unit, taxClass: product.taxClass as TaxClass, cessBps: product.cessBps }]
    })
    const placeOfSupply = draft.placeOfSupply ?? customer?.stateCode ?? ''
    if (draft.lut && placeOfSupply !== '96' && !lines.some((l) => l.taxClass === 'zero'))
      errors.lut = 'Supply under LUT is for exports (place of supply: foreign country) and zero-rated lines.'
    if (hasErrors(errors) || !profile || !customer) throw invalid(errors, { status: 422 })

    const supply = supplyType(profile.stateCode, placeOfSupply)
    const totals = computeInvoice(lines, { supply, lut: draft.lut, reverseCharge: draft.reverseCharge })
    if (!customer.gstin && !customer.address && totals.grandTotalPaise >= UNREGISTERED_ADDRESS_FROM_PAISE)
      throw invalid({ customer_id: 'An unregistered buyer of ₹50,000 or more needs an address on the invoice (Rule 46(f)): add it to the customer.' }, { status: 422 })
    const values = {
      userId,
      status: 'draft',
      customerId: customer.id,
      invoiceDate: date,
      requestedDate: draft.invoiceDate,
      dueDate,
      placeOfSupply,
      supply,
      lut: draft.lut,
      reverseCharge: draft.reverseCharge,
      shipToAddress: draft.shipToAddress,
      sellerName: profile.legalName,
      sellerGstin: profile.gstin,
      sellerStateCode: profile.stateCode,
      sellerAddress: profile.address,
      sellerSignatory: profile.signatory,
      buyerName: customer.name,
      buyerGstin: customer.gstin,
      buyerStateCode: customer.stateCode,
      buyerAddress: customer.address,
      buyerEmail: customer.email,
      notes: draft.notes,
      discountPaise: totals.discountPaise,
      ...documentAmounts(totals),
    }
    let invoice: InvoiceRow
    if (existing) {
      invoice = (await tx.update(billingInvoices).set(values).where(eq(billingInvoices.id, existing.id)).returning())[0]!
      await tx.delete(billingInvoiceLines).where(eq(billingInvoiceLines.invoiceId, existing.id))
    } else {
      invoice = (await tx
        .insert(billingInvoices)
        .values({ ...values, createdAt: now() })
        .returning())[0]
    }
    await tx.insert(billingInvoiceLines)
      .values(
        lines.map((l, i) => {
          const a = totals.lines[i]!
          return {
            invoiceId: invoice.id,
            position: i + 1,
            productId: l.productId,
            description: l.product.name,
            hsn: l.product.hsn,
            quantityMilli: l.quantityMilli,
            unit: l.unit,
            unitPricePaise: l.unitPricePaise,
            discountBps: l.discountBps,
            rateBps: l.rateBps,
            taxClass: l.taxClass,
            cessBps: l.cessBps,
            discountPaise: a.discountPaise,
            ...lineAmountColumns(a),
          }
        }),
      )
    return issue ? await issueIn(tx, outbox, invoice) : invoice
  }

  return {
    /**
     * Writes an invoice as a draft, or issues it at once (`issue`): the next
     * number of the financial year, today's date, and an `invoice_created`
     * notification, all in one transaction. Bad input: 422 with field messages.
     */
    async createInvoice(userId: number, draft: InvoiceDraft, opts: { issue: boolean }): Promise<InvoiceRow> {
      return transact(db, bus, async (tx, outbox) => saveIn(tx, outbox, userId, null, draft, opts.issue))
    },

    /** Rewrites a draft (customer, lines, dates), optionally issuing it in the same transaction. */
    async updateDraft(userId: number, id: number, draft: InvoiceDraft, opts: { issue: boolean }): Promise<InvoiceRow> {
      return transact(db, bus, async (tx, outbox) => saveIn(tx, outbox, userId, await ownInvoice(tx, userId, id), draft, opts.issue))
    },

    async issueInvoice(userId: number, id: number): Promise<InvoiceRow> {
      return transact(db, bus, async (tx, outbox) => {
        const invoice = await ownInvoice(tx, userId, id)
        if (invoice.status !== 'draft') throw conflict(`Invoice ${invoice.number} is already issued.`)
        return issueIn(tx, outbox, invoice)
      })
    },

    /** Deletes a draft (it has no number, so no gap); issued invoices stay. */
    async deleteDraft(userId: number, id: number): Promise<void> {
      await transact(db, bus, async (tx) => {
        const invoice = await ownInvoice(tx, userId, id)
        if (invoice.status !== 'draft') throw conflict('Only drafts can be deleted; issued invoices are kept.')
        await tx.delete(billingInvoices).where(eq(billingInvoices.id, id))
      })
    },
  }
}
