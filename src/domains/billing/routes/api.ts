/** The JSON API (/api/billing/...): list, create, read invoices, record payments, mark them paid, issue notes. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type, { type Static } from 'typebox'
import { currentUser } from '../../../web/http.js'
import { ErrorBody, Id, IdParams } from '../../../web/schemas.js'
import { checkInvoice } from '../forms/invoice.js'
import { checkNote, checkPayment } from '../forms/payments-notes.js'
import { formatPercent, formatScaled } from '../money.js'
import type { InvoiceView } from '../service/index.js'
import type { NoteRow } from '../schema.js'
import { InvoiceListQuery } from './schemas.js'

const Paise = Type.Integer()
/** The amounts every document (invoice, note) answers with. */
const DocumentAmountsJson = {
  taxable_paise: Paise,
  cgst_paise: Paise,
  sgst_paise: Paise,
  igst_paise: Paise,
  cess_paise: Paise,
  round_off_paise: Paise,
  total_paise: Paise,
}
const documentAmountsJson = (d: { taxablePaise: number; cgstPaise: number; sgstPaise: number; igstPaise: number; cessPaise: number; roundOffPaise: number; totalPaise: number }) => ({
  taxable_paise: d.taxablePaise,
  cgst_paise: d.cgstPaise,
  sgst_paise: d.sgstPaise,
  igst_paise: d.igstPaise,
  cess_paise: d.cessPaise,
  round_off_paise: d.roundOffPaise,
  total_paise: d.totalPaise,
})
const InvoiceLineJson = Type.Object({
  product_id: Id,
  description: Type.String(),
  hsn: Type.String(),
  quantity: Type.String(),
  unit: Type.String(),
  tax_class: Type.String(),
  unit_price_paise: Paise,
  discount_percent: Type.String(),
  rate_percent: Type.String(),
  taxable_paise: Paise,
  cgst_paise: Paise,
  sgst_paise: Paise,
  igst_paise: Paise,
  cess_paise: Paise,
  total_paise: Paise,
})
const InvoiceJson = Type.Object({
  id: Id,
  number: Type.Union([Type.String(), Type.Null()]),
  status: Type.String(),
  title: Type.String(),
  invoice_date: Type.String(),
  due_date: Type.String(),
  customer_id: Id,
  buyer_name: Type.String(),
  place_of_supply: Type.String(),
  supply: Type.String(),
  reverse_charge: Type.Boolean(),
  lut: Type.Boolean(),
  ship_to_address: Type.String(),
  ...DocumentAmountsJson,
  paid_paise: Paise,
  balance_paise: Paise,
  paid_at: Type.Union([Type.String(), Type.Null()]),
  cancel_reason: Type.String(),
  lines: Type.Array(InvoiceLineJson),
})
const OneInvoice = Type.Object({ invoice: InvoiceJson })
const Amount = Type.Union([Type.String({ maxLength: 20 }), Type.Number()])
const NewInvoiceBody = Type.Object({
  customer_id: Id,
  place_of_supply: Type.Optional(Type.String({ maxLength: 4 })),
  due_date: Type.Optional(Type.String({ maxLength: 20 })),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
  invoice_date: Type.Optional(Type.String({ maxLength: 20 })),
  reverse_charge: Type.Optional(Type.Boolean()),
  lut: Type.Optional(Type.Boolean()),
  ship_to_address: Type.Optional(Type.String({ maxLength: 1000 })),
  issue: Type.Optional(Type.Boolean()),
  lines: Type.Array(
    Type.Object({
      product_id: Id,
      quantity: Type.Optional(Amount),
      unit_price: Type.Optional(Type.Union([Amount, Type.Null()])),
      discount: Type.Optional(Amount),
    }),
    { minItems: 1, maxItems: 100 },
  ),
})

const NoteJson = Type.Object({
  id: Id,
  invoice_id: Id,
  kind: Type.String(),
  number: Type.String(),
  note_date: Type.String(),
  reason: Type.String(),
  ...DocumentAmountsJson,
})
const NewNoteBody = Type.Object({
  kind: Type.String({ maxLength: 10 }),
  note_date: Type.Optional(Type.String({ maxLength: 20 })),
  reason: Type.String({ maxLength: 300 }),
  lines: Type.Array(Type.Object({ line_id: Id, quantity: Amount }), { minItems: 1, maxItems: 100 }),
})

function noteJson(n: NoteRow): Static<typeof NoteJson> {
  return {
    id: n.id,
    invoice_id: n.invoiceId,
    kind: n.kind,
    number: n.number,
    note_date: n.noteDate,
    reason: n.reason,
    ...documentAmountsJson(n),
  }
}

function invoiceJson(view: InvoiceView): Static<typeof InvoiceJson> {
  const i = view.invoice
  return {
    id: i.id,
    number: i.number,
    status: view.status,
    title: view.title,
    invoice_date: i.invoiceDate,
    due_date: i.dueDate,
    customer_id: i.customerId,
    buyer_name: i.buyerName,
    place_of_supply: i.placeOfSupply,
    supply: i.supply,
    reverse_charge: i.reverseCharge,
    lut: i.lut,
    ship_to_address: i.shipToAddress,
    ...documentAmountsJson(i),
    paid_paise: i.paidPaise,
    balance_paise: view.balancePaise,
    paid_at: i.paidAt === null ? null : new Date(i.paidAt).toISOString(),
    cancel_reason: i.cancelReason,
    lines: view.lines.map((l) => ({
      product_id: l.productId,
      description: l.description,
      hsn: l.hsn,
      quantity: formatScaled(l.quantityMilli, 3),
      unit: l.unit,
      tax_class: l.taxClass,
      unit_price_paise: l.unitPricePaise,
      discount_percent: formatPercent(l.discountBps),
      rate_percent: formatPercent(l.rateBps),
      taxable_paise: l.taxablePaise,
      cgst_paise: l.cgstPaise,
      sgst_paise: l.sgstPaise,
      igst_paise: l.igstPaise,
      cess_paise: l.cessPaise,
      total_paise: l.totalPaise,
    })),
  }
}

export const billingApiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const billing = app.billing
  const asJson = async (userId: number, id: number) => ({ invoice: invoiceJson(await billing.getInvoice(userId, id)) })

  app.get(
    '/api/billing/invoices',
    { schema: { querystring: InvoiceListQuery, response: { 200: Type.Object({ invoices: Type.Array(InvoiceJson) }), '4xx': ErrorBody } } },
    async (request) => {
      const userId = currentUser(request).id
      const items = await billing.listInvoices(userId, { status: request.query.status || null, q: request.query.q })
      const invoices = []
      for (const i of items) invoices.push((await asJson(userId, i.id)).invoice)
      return { invoices }
    },
  )

  app.post('/api/billing/invoices', { schema: { body: NewInvoiceBody, response: { 201: OneInvoice, '4xx': ErrorBody } } }, async (request, reply) => {
    const userId = currentUser(request).id
    const b = request.body
    const draft = checkInvoice({
      customer_id: b.customer_id,
      place_of_supply: b.place_of_supply,
      due_date: b.due_date,
      invoice_date: b.invoice_date,
      reverse_charge: b.reverse_charge,
      lut: b.lut,
      ship_to_address: b.ship_to_address,
      notes: b.notes,
      product_id: b.lines.map((l) => String(l.product_id)),
      quantity: b.lines.map((l) => String(l.quantity ?? '1')),
      unit_price: b.lines.map((l) => (l.unit_price === null || l.unit_price === undefined ? '' : String(l.unit_price))),
      discount: b.lines.map((l) => String(l.discount ?? '')),
    })
    const created = await billing.createInvoice(userId, draft, { issue: b.issue !== false })
    return reply.status(201).send(await asJson(userId, created.id))
  })

  app.get('/api/billing/invoices/:id', { schema: { params: IdParams, response: { 200: OneInvoice, '4xx': ErrorBody } } }, async (request) =>
    asJson(currentUser(request).id, request.params.id),
  )

  app.post(
    '/api/billing/invoices/:id/payments',
    {
      schema: {
        params: IdParams,
        body: Type.Object({ paid_on: Type.String({ maxLength: 20 }), amount: Type.Union([Type.String({ maxLength: 20 }), Type.Number()]), mode: Type.String({ maxLength: 20 }), reference: Type.Optional(Type.String({ maxLength: 200 })) }),
        response: { 201: OneInvoice, '4xx': ErrorBody },
      },
    },
    async (request, reply) => {
      const userId = currentUser(request).id
      await billing.recordPayment(userId, request.params.id, checkPayment(request.body))
      return reply.status(201).send(await asJson(userId, request.params.id))
    },
  )

  app.post(
    '/api/billing/invoices/:id/notes',
    { schema: { params: IdParams, body: NewNoteBody, response: { 201: Type.Object({ note: NoteJson }), '4xx': ErrorBody } } },
    async (request, reply) => {
      const b = request.body
      const input = checkNote({ kind: b.kind, note_date: b.note_date, reason: b.reason, line_id: b.lines.map((l) => String(l.line_id)), quantity: b.lines.map((l) => String(l.quantity)) })
      return reply.status(201).send({ note: noteJson(await app.billing.issueNote(currentUser(request).id, request.params.id, input)) })
    },
  )

  app.post('/api/billing/invoices/:id/paid', { schema: { params: IdParams, response: { 200: OneInvoice, '4xx': ErrorBody } } }, async (request) => {
    const userId = currentUser(request).id
    await billing.markPaid(userId, request.params.id)
    return asJson(userId, request.params.id)
  })
}
