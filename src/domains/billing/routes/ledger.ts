/** A customer's ledger: the page, its CSV download and JSON. */

const LedgerJson = Type.Object({
  balance_paise: Type.Integer(),
  entries: Type.Array(
    Type.Object({
      date: Type.String(),
      kind: Type.String(),
      reference: Type.String(),
      invoice_id: Id,
      debit_paise: Type.Integer(),
      credit_paise: Type.Integer(),
      balance_paise: Type.Integer(),
    }),
  ),
})
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { currentUser } from '../../../web/http.js'
import { ErrorBody, Id, IdParams } from '../../../web/schemas.js'
import { ledgerCsv } from '../service/index.js'
import { page } from './render.js'

export const ledgerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/billing/customers/:id/ledger', { schema: { params: IdParams } }, async (request, reply) => {
    const userId = currentUser(request).id
    const customer = await app.billing.getCustomer(userId, request.params.id)
    return page(request, reply, 'billing/ledger', { customer, ...await app.billing.ledgerOf(userId, customer.id) })
  })

  app.get('/billing/customers/:id/ledger.csv', { schema: { params: IdParams } }, async (request, reply) => {
    const { entries } = await app.billing.ledgerOf(currentUser(request).id, request.params.id)
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="ledger-customer-${request.params.id}.csv"`)
    return ledgerCsv(entries)
  })

  app.get('/api/billing/customers/:id/ledger', { schema: { params: IdParams, response: { 200: LedgerJson, '4xx': ErrorBody } } }, async (request) => {
    const { entries, balancePaise } = await app.billing.ledgerOf(currentUser(request).id, request.params.id)
    return {
      balance_paise: balancePaise,
      entries: entries.map((e) => ({ date: e.date, kind: e.kind, reference: e.reference, invoice_id: e.invoiceId, debit_paise: e.debitPaise, credit_paise: e.creditPaise, balance_paise: e.balancePaise })),
    }
  })
}
