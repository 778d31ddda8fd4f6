/**
 * Customers and products: the same pages for both (list with search, new, edit,
 * delete), described once by a CatalogPages spec.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type, { type TObject } from 'typebox'
import type { FieldErrors } from '../../../errors.js'
import { IdParams } from '../../../web/schemas.js'
import { currentUser, isHtmx } from '../../../web/http.js'
import type { BillingService } from '../service/index.js'
import { checkCustomer, checkProduct } from '../forms/catalog.js'
import { formatPercent, paiseToInput } from '../money.js'
import type { CustomerRow, ProductRow } from '../schema.js'
import { done, fragment, page, writeOrForm } from './render.js'
import { SearchQuery, Text } from './schemas.js'

interface CatalogPages<Row extends { id: number }, Input> {
  /** the URL segment and the list template: customers, products */
  kind: string
  /** the form template's stem: customer, product */
  one: string
  Body: TObject
  /** what a new form starts with */
  blank: Record<string, string>
  check(body: Record<string, unknown>): Input
  values(row: Row): Record<string, string>
  list(userId: number, q: string): Promise<Row[]>
  get(userId: number, id: number): Promise<Row>
  create(userId: number, input: Input): Promise<Row>
  update(userId: number, id: number, input: Input): Promise<Row>
  remove(userId: number, id: number): Promise<void>
}

function catalogPages<Row extends { id: number }, Input>(spec: CatalogPages<Row, Input>): FastifyPluginAsyncTypebox {
  const { kind, one } = spec
  return async (app) => {
    const listPage = (request: FastifyRequest, reply: FastifyReply, userId: number) =>
      done(request, reply, `/billing/${kind}`, async () => page(request, reply, `billing/${kind}`, { items: await spec.list(userId, ''), q: '' }))
    const formPage = async (request: FastifyRequest, reply: FastifyReply, values: object, errors: FieldErrors, id: number | null) =>
      page(request, reply, `billing/${one}-form`, { values, errors, id }, Object.keys(errors).length ? 422 : 200)

    app.get(`/billing/${kind}`, { schema: { querystring: SearchQuery } }, async (request, reply) => {
      const q = request.query.q ?? ''
      const items = await spec.list(currentUser(request).id, q)
      // The search box asks for the rows only.
      if (isHtmx(request) && request.headers['hx-target'] === `tbody#${kind}-rows`) return fragment(request, reply, `billing/${kind}-rows`, { items })
      return page(request, reply, `billing/${kind}`, { items, q })
    })

    app.get(`/billing/${kind}/new`, async (request, reply) => formPage(request, reply, spec.blank, {}, null))

    app.post(`/billing/${kind}`, { schema: { body: spec.Body } }, async (request, reply) => {
      const userId = currentUser(request).id
      return writeOrForm(
        async () => spec.create(userId, spec.check(request.body)),
        () => listPage(request, reply, userId),
        async (errors) => formPage(request, reply, request.body, errors, null),
      )
    })

    app.get(`/billing/${kind}/:id/edit`, { schema: { params: IdParams } }, async (request, reply) => {
      const row = await spec.get(currentUser(request).id, request.params.id)
      return formPage(request, reply, spec.values(row), {}, row.id)
    })

    app.post(`/billing/${kind}/:id`, { schema: { params: IdParams, body: spec.Body } }, async (request, reply) => {
      const userId = currentUser(request).id
      const id = request.params.id
      await spec.get(userId, id)
      return writeOrForm(
        async () => spec.update(userId, id, spec.check(request.body)),
        () => listPage(request, reply, userId),
        async (errors) => formPage(request, reply, request.body, errors, id),
      )
    })

    app.post(`/billing/${kind}/:id/delete`, { schema: { params: IdParams } }, async (request, reply) => {
      const userId = currentUser(request).id
      await spec.remove(userId, request.params.id)
      return listPage(request, reply, userId)
    })
  }
}

export function catalogRoutes(billing: BillingService): FastifyPluginAsyncTypebox[] {
  const customers = catalogPages<CustomerRow, ReturnType<typeof checkCustomer>>({
    kind: 'customers',
    one: 'customer',
    Body: Type.Object({ name: Text(300), gstin: Text(40), state_code: Text(4), address: Text(2000), email: Text(300) }),
    blank: {},
    check: checkCustomer,
    values: (c) => ({ name: c.name, gstin: c.gstin ?? '', state_code: c.stateCode, address: c.address, email: c.email }),
    list: billing.listCustomers,
    get: billing.getCustomer,
    create: billing.createCustomer,
    update: billing.updateCustomer,
    remove: billing.deleteCustomer,
  })
  const products = catalogPages<ProductRow, ReturnType<typeof checkProduct>>({
    kind: 'products',
    one: 'product',
    Body: Type.Object({ name: Text(300), hsn: Text(20), unit_price: Text(40), rate: Text(10), unit: Text(10), tax_class: Text(20), cess: Text(10) }),
    blank: { rate: '18', unit: 'NOS', tax_class: 'taxable' },
    check: checkProduct,
    values: (p) => ({
      name: p.name,
      hsn: p.hsn,
      unit_price: paiseToInput(p.unitPricePaise),
      rate: formatPercent(p.rateBps),
      unit: p.unit,
      tax_class: p.taxClass,
      cess: p.cessBps ? formatPercent(p.cessBps) : '',
    }),
    list: billing.listProducts,
    get: billing.getProduct,
    create: billing.createProduct,
    update: billing.updateProduct,
    remove: billing.deleteProduct,
  })
  return [customers, products]
}
