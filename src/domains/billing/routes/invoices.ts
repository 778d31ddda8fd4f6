/** The invoice list, one invoice's page, and what can be done to it (issue, mark paid, delete a draft). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { currentUser, isHtmx } from '../../../web/http.js'
import { IdParams } from '../../../web/schemas.js'
import { done, fragment, page } from './render.js'
import { InvoiceListQuery } from './schemas.js'

export const invoiceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const billing = app.billing

  const showInvoice = (request: FastifyRequest, reply: FastifyReply, id: number) =>
    done(request, reply, `/billing/invoices/${id}`, () => page(request, reply, 'billing/invoice', { ...billing.getInvoice(currentUser(request).id, id) }))

  app.get('/billing', async (_request, reply) => reply.redirect('/billing/invoices'))

  app.get('/billing/invoices', { schema: { querystring: InvoiceListQuery } }, async (request, reply) => {
    const userId = currentUser(request).id
    const status = request.query.status || null
    const q = request.query.q ?? ''
    const items = billing.listInvoices(userId, { status, q })
    if (isHtmx(request) && request.headers['hx-target'] === 'tbody#invoice-rows') return fragment(request, reply, 'billing/invoice-rows', { items })
    return page(request, reply, 'billing/invoices', { items, status, q, profile: billing.getProfile(userId) })
  })

  app.get('/billing/invoices/:id', { schema: { params: IdParams } }, async (request, reply) =>
    page(request, reply, 'billing/invoice', { ...billing.getInvoice(currentUser(request).id, request.params.id) }),
  )

  app.post('/billing/invoices/:id/issue', { schema: { params: IdParams } }, async (request, reply) => {
    billing.issueInvoice(currentUser(request).id, request.params.id)
    return showInvoice(request, reply, request.params.id)
  })

  app.post('/billing/invoices/:id/paid', { schema: { params: IdParams } }, async (request, reply) => {
    billing.markPaid(currentUser(request).id, request.params.id)
    return showInvoice(request, reply, request.params.id)
  })

  app.post('/billing/invoices/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const userId = currentUser(request).id
    billing.deleteDraft(userId, request.params.id)
    return done(request, reply, '/billing/invoices', () =>
      page(request, reply, 'billing/invoices', { items: billing.listInvoices(userId), status: null, q: '', profile: billing.getProfile(userId) }),
    )
  })
}
