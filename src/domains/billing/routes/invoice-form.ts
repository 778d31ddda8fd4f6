/**
 * The invoice form: new and edit-draft pages, the live totals (htmx preview on
 * input), adding and removing lines, and saving (draft or issue).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Static } from 'typebox'
import { conflict, type FieldErrors } from '../../../errors.js'
import { currentUser } from '../../../web/http.js'
import { IdParams } from '../../../web/schemas.js'
import { checkInvoice, formLines, readInvoiceForm } from '../forms/invoice.js'
import { addDays } from '../calendar.js'
import { formatPercent, formatScaled, paiseToInput } from '../money.js'
import { DEFAULT_PAYMENT_TERMS_DAYS, type InvoiceView } from '../service/index.js'
import { done, fragment, invoicePage, page, writeOrForm } from './render.js'
import { InvoiceFormBody } from './schemas.js'

type InvoiceForm = Static<typeof InvoiceFormBody>
const BLANK_LINE = { product_id: '', quantity: '1', unit_price: '', discount: '' }

/** A draft as the form's values. */
function formOf(view: InvoiceView): InvoiceForm {
  const i = view.invoice
  return {
    customer_id: String(i.customerId),
    place_of_supply: i.placeOfSupply,
    due_date: i.dueDate,
    invoice_date: i.requestedDate ?? '',
    reverse_charge: i.reverseCharge ? 'yes' : undefined,
    lut: i.lut ? 'yes' : undefined,
    ship_to_address: i.shipToAddress,
    notes: i.notes,
    product_id: view.lines.map((l) => String(l.productId)),
    quantity: view.lines.map((l) => formatScaled(l.quantityMilli, 3)),
    unit_price: view.lines.map((l) => paiseToInput(l.unitPricePaise)),
    discount: view.lines.map((l) => (l.discountBps ? formatPercent(l.discountBps) : '')),
  }
}

export const invoiceFormRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const billing = app.billing

  /** Everything the invoice form needs, from the values typed so far. */
  async function formData(userId: number, values: InvoiceForm, errors: FieldErrors = {}) {
    const rows = formLines(values)
    if (!rows.length) rows.push({ ...BLANK_LINE })
    return {
      values,
      rows,
      errors,
      preview: await billing.preview(userId, readInvoiceForm(values).value),
      profile: await billing.getProfile(userId),
      customers: await billing.listCustomers(userId),
      products: await billing.listProducts(userId),
    }
  }

  /** Saves (as a draft, or issued) and shows the invoice; refused input comes back on the form. */
  function save(request: FastifyRequest, reply: FastifyReply, body: InvoiceForm, editId: number | null) {
    const userId = currentUser(request).id
    const issue = body.action !== 'draft'
    return writeOrForm(
      async () => {
        const draft = checkInvoice(body)
        return editId === null ? await billing.createInvoice(userId, draft, { issue }) : await billing.updateDraft(userId, editId, draft, { issue })
      },
      (invoice) => {
        const url = `/billing/invoices/${invoice.id}`
        return done(request, reply, url, async () => invoicePage(request, reply, invoice.id))
      },
      async (errors) => page(request, reply, 'billing/invoice-new', { ...await formData(userId, body, errors), editId }, 422),
    )
  }

  app.get('/billing/invoices/new', async (request, reply) => {
    const due = addDays(billing.today(), DEFAULT_PAYMENT_TERMS_DAYS)
    return page(request, reply, 'billing/invoice-new', await formData(currentUser(request).id, { due_date: due, quantity: ['1'] }))
  })

  /** The live totals: the totals block plus each line's amount, out of band. */
  app.post('/billing/invoices/preview', { schema: { body: InvoiceFormBody } }, async (request, reply) =>
    fragment(request, reply, 'billing/invoice-totals', { ...await formData(currentUser(request).id, request.body), oobLines: true }),
  )

  /** Adds (`add`) or removes (`remove=<row>`) a line: the whole lines editor, totals out of band. */
  app.post('/billing/invoices/lines', { schema: { body: InvoiceFormBody } }, async (request, reply) => {
    const body = request.body
    const remove = body.remove !== undefined && /^\d+$/.test(body.remove) ? Number(body.remove) : -1
    const kept = formLines(body).filter((_, i) => i !== remove)
    if (body.add) kept.push({ ...BLANK_LINE })
    const next = {
      ...body,
      product_id: kept.map((r) => r.product_id),
      quantity: kept.map((r) => r.quantity),
      unit_price: kept.map((r) => r.unit_price),
      discount: kept.map((r) => r.discount),
    }
    return fragment(request, reply, 'billing/invoice-lines', { ...await formData(currentUser(request).id, next), oobTotals: true })
  })

  app.post('/billing/invoices', { schema: { body: InvoiceFormBody } }, async (request, reply) => save(request, reply, request.body, null))

  /** A draft back in the invoice form. */
  app.get('/billing/invoices/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const userId = currentUser(request).id
    const view = await billing.getInvoice(userId, request.params.id)
    if (view.status !== 'draft') throw conflict(`Invoice ${view.invoice.number} is issued and cannot be changed.`)
    return page(request, reply, 'billing/invoice-new', { ...await formData(userId, formOf(view)), editId: view.invoice.id })
  })

  app.post('/billing/invoices/:id', { schema: { params: IdParams, body: InvoiceFormBody } }, async (request, reply) => {
    await billing.getInvoice(currentUser(request).id, request.params.id)
    return save(request, reply, request.body, request.params.id)
  })
}
