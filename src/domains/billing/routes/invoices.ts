/**
 * The invoice list, one invoice's page, and what can be done to it: issue, record
 * payments (or mark paid), credit and debit notes, cancel, delete a draft.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import { currentUser, isHtmx } from '../../../web/http.js'
import { IdParams } from '../../../web/schemas.js'
import { checkNote, checkPayment } from '../forms/payments-notes.js'
import { done, fragment, invoicePage, page, writeOrForm } from './render.js'
import { Column, InvoiceListQuery, Text } from './schemas.js'

const PaymentBody = Type.Object({ paid_on: Text(20), amount: Text(40), mode: Text(20), reference: Text(300) })
const CancelBody = Type.Object({ reason: Text(300) })
const NoteBody = Type.Object({ kind: Text(10), note_date: Text(20), reason: Text(400), line_id: Column, quantity: Column })

export const invoiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const billing = app.billing

  const showInvoice = (request: FastifyRequest, reply: FastifyReply, id: number) =>
    done(request, reply, `/billing/invoices/${id}`, async () => invoicePage(request, reply, id))

  app.get('/billing', async (_request, reply) => reply.redirect('/billing/invoices'))

  app.get('/billing/invoices', { schema: { querystring: InvoiceListQuery } }, async (request, reply) => {
    const userId = currentUser(request).id
    const status = request.query.status || null
    const q = request.query.q ?? ''
    const items = await billing.listInvoices(userId, { status, q })
    if (isHtmx(request) && request.headers['hx-target'] === 'tbody#invoice-rows') return fragment(request, reply, 'billing/invoice-rows', { items })
    return page(request, reply, 'billing/invoices', { items, status, q, profile: await billing.getProfile(userId) })
  })

  app.get('/billing/invoices/:id', { schema: { params: IdParams } }, async (request, reply) => invoicePage(request, reply, request.params.id))

  /** The invoice as a PDF: three copies, the printed page's content. */
  app.get('/billing/invoices/:id/pdf', { schema: { params: IdParams } }, async (request, reply) => {
    const view = await billing.getInvoice(currentUser(request).id, request.params.id)
    const name = (view.invoice.number ?? `draft-${view.invoice.id}`).replace(/\//g, '-')
    reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`)
    // pdfkit (and its font engine) loads with the first PDF, not with every process.
    const { invoicePdf } = await import('../pdf/invoice.js')
    return invoicePdf(view)
  })

  app.post('/billing/invoices/:id/payments', { schema: { params: IdParams, body: PaymentBody } }, async (request, reply) => {
    const id = request.params.id
    return writeOrForm(
      async () => billing.recordPayment(currentUser(request).id, id, checkPayment(request.body)),
      () => showInvoice(request, reply, id),
      async (errors) => invoicePage(request, reply, id, { paymentValues: request.body, paymentErrors: errors }, 422),
    )
  })

  app.post('/billing/invoices/:id/notes', { schema: { params: IdParams, body: NoteBody } }, async (request, reply) => {
    const id = request.params.id
    return writeOrForm(
      async () => billing.issueNote(currentUser(request).id, id, checkNote(request.body)),
      () => showInvoice(request, reply, id),
      async (errors) => invoicePage(request, reply, id, { noteValues: request.body, noteErrors: errors }, 422),
    )
  })

  app.post('/billing/invoices/:id/cancel', { schema: { params: IdParams, body: CancelBody } }, async (request, reply) => {
    const id = request.params.id
    return writeOrForm(
      async () => billing.cancelInvoice(currentUser(request).id, id, (request.body.reason ?? '').trim()),
      () => showInvoice(request, reply, id),
      async (errors) => invoicePage(request, reply, id, { cancelValues: request.body, cancelErrors: errors }, 422),
    )
  })

  app.post('/billing/invoices/:id/issue', { schema: { params: IdParams } }, async (request, reply) => {
    await billing.issueInvoice(currentUser(request).id, request.params.id)
    return showInvoice(request, reply, request.params.id)
  })

  app.post('/billing/invoices/:id/paid', { schema: { params: IdParams } }, async (request, reply) => {
    await billing.markPaid(currentUser(request).id, request.params.id)
    return showInvoice(request, reply, request.params.id)
  })

  app.post('/billing/invoices/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const userId = currentUser(request).id
    await billing.deleteDraft(userId, request.params.id)
    return done(request, reply, '/billing/invoices', async () =>
      page(request, reply, 'billing/invoices', { items: await billing.listInvoices(userId), status: null, q: '', profile: await billing.getProfile(userId) }),
    )
  })
}
