/**
 * GST billing pages (/billing/...), a small JSON API (/api/billing/...), and the
 * overdue scheduler. Routes validate, call the billing service and render.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import Type, { type Static } from 'typebox'
import { conflict, invalid, notFound } from '../../errors.js'
import { currentUser, isHtmx, renderPage, requireUser } from '../../web/http.js'
import type { FieldErrors } from '../../errors.js'
import { checkCustomer, checkInvoice, checkProduct, checkProfile, formLines, RATE_CHOICES, type InvoiceForm } from './forms.js'
import { addDays, formatPaise, formatPercent, formatScaled, GST_STATES, paiseToInput, stateName } from './gst.js'
import { startOverdueScheduler } from './scheduler.js'
import { BillingConflict, createBillingService, DEFAULT_PAYMENT_TERMS_DAYS, INVOICE_STATUSES, type BillingService, type InvoiceStatus } from './service.js'

declare module 'fastify' {
  interface FastifyInstance {
    billing: BillingService
  }
}

declare module '../../app.js' {
  interface BuildOptions {
    /** The clock (ms since epoch) for domains that keep dates; tests move it. */
    now?: () => number
  }
}

export interface BillingPluginOptions {
  now?: () => number
  /** How often the server looks for newly overdue invoices; 0 checks only at start. */
  overdueCheckIntervalMs?: number
}

// ---------------------------------------------------------------- schemas

const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }))
const Column = Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 200 }))

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const SearchQuery = Type.Object({ q: Text(200) })
const InvoiceListQuery = Type.Object({
  q: Text(200),
  status: Type.Optional(Type.Union([...INVOICE_STATUSES.map((s) => Type.Literal(s)), Type.Literal('')])),
})
const ProfileBody = Type.Object({ legal_name: Text(300), gstin: Text(40), state_code: Text(4), address: Text(2000) })
const CustomerBody = Type.Object({ name: Text(300), gstin: Text(40), state_code: Text(4), address: Text(2000), email: Text(300) })
const ProductBody = Type.Object({ name: Text(300), hsn: Text(20), unit_price: Text(40), rate: Text(10) })
const InvoiceBody = Type.Object({
  customer_id: Text(20),
  place_of_supply: Text(4),
  due_date: Text(20),
  notes: Text(4000),
  product_id: Column,
  quantity: Column,
  unit_price: Column,
  discount: Column,
  action: Text(10),
  add: Text(4),
  remove: Text(6),
})
type InvoiceBodyT = Static<typeof InvoiceBody>

const ApiInvoiceBody = Type.Object({
  customer_id: Type.Integer({ minimum: 1 }),
  place_of_supply: Type.Optional(Type.String({ maxLength: 4 })),
  due_date: Type.Optional(Type.String({ maxLength: 20 })),
  notes: Type.Optional(Type.String({ maxLength: 2000 })),
  issue: Type.Optional(Type.Boolean()),
  lines: Type.Array(
    Type.Object({
      product_id: Type.Integer({ minimum: 1 }),
      quantity: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Number()])),
      unit_price: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Number(), Type.Null()])),
      discount: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Number()])),
    }),
    { minItems: 1, maxItems: 100 },
  ),
})

// ---------------------------------------------------------------- helpers for the views

/** Formatting helpers every billing template gets as `it.fmt`. */
export const fmt = {
  money: (paise: number) => `₹${formatPaise(paise)}`,
  amount: formatPaise,
  percent: formatPercent,
  /** CGST or SGST rate: half the GST rate (0.25 % -> 0.125 %) */
  halfPercent: (bps: number) => formatScaled(bps * 5, 3),
  quantity: (milli: number) => formatScaled(milli, 3),
  priceInput: paiseToInput,
  state: (code: string) => `${stateName(code)} (${code})`,
  statusLabel: (s: InvoiceStatus) => ({ draft: 'Draft', issued: 'Issued', overdue: 'Overdue', paid: 'Paid' })[s],
}

const commonViewData = { fmt, states: GST_STATES, rates: RATE_CHOICES, statuses: INVOICE_STATUSES }

function rethrowConflict(err: unknown): never {
  if (err instanceof BillingConflict) throw conflict(err.message)
  throw err
}

export const billingPlugin = fp<BillingPluginOptions>(
  async (app: FastifyInstance, opts) => {
    const billing = createBillingService({ db: app.db, bus: app.bus, notifications: app.notifications, now: opts.now })
    app.decorate('billing', billing)

    // The overdue check runs when the server starts listening and then every
    // interval (the CLI, which never listens, does not start it).
    const intervalMs = opts.overdueCheckIntervalMs ?? app.config.overdueCheckIntervalMs
    let scheduler: { stop(): void } | null = null
    app.addHook('onListen', async () => {
      scheduler ??= startOverdueScheduler({ run: () => billing.notifyOverdue(), intervalMs, log: app.log })
    })
    app.addHook('preClose', async () => {
      scheduler?.stop()
    })

    const guarded = { preHandler: requireUser }

    function page(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) {
      reply.status(status)
      return renderPage(request, reply, template, { ...commonViewData, ...data })
    }

    function fragment(reply: FastifyReply, template: string, data: Record<string, unknown>) {
      reply.type('text/html')
      return app.views.render(template, { ...commonViewData, ...data })
    }

    /** After a change: htmx swaps the page's <main>, plain forms follow a 303. */
    function done(request: FastifyRequest, reply: FastifyReply, url: string, render: () => unknown) {
      if (!isHtmx(request)) return reply.redirect(url, 303)
      reply.header('HX-Push-Url', url)
      return render()
    }

    app.get('/billing', guarded, async (_request, reply) => reply.redirect('/billing/invoices'))

    // ------------------------------------------------------------ profile

    app.get('/billing/profile', guarded, async (request, reply) => {
      const profile = billing.getProfile(currentUser(request).id)
      const values = profile
        ? { legal_name: profile.legalName, gstin: profile.gstin, state_code: profile.stateCode, address: profile.address }
        : {}
      return page(request, reply, 'billing/profile', { values, errors: {}, saved: false })
    })

    app.post<{ Body: Static<typeof ProfileBody> }>('/billing/profile', { ...guarded, schema: { body: ProfileBody } }, async (request, reply) => {
      const checked = checkProfile(request.body)
      if ('errors' in checked) return page(request, reply, 'billing/profile', { values: request.body, errors: checked.errors, saved: false }, 422)
      billing.saveProfile(currentUser(request).id, checked.value)
      return page(request, reply, 'billing/profile', { values: request.body, errors: {}, saved: true })
    })

    // ------------------------------------------------------------ customers and products

    for (const kind of ['customers', 'products'] as const) {
      const one = kind === 'customers' ? 'customer' : 'product'
      const check = kind === 'customers' ? checkCustomer : checkProduct
      const Body = kind === 'customers' ? CustomerBody : ProductBody
      const list = (userId: number, q: string) => (kind === 'customers' ? billing.listCustomers(userId, q) : billing.listProducts(userId, q))
      const get = (userId: number, id: number) => (kind === 'customers' ? billing.getCustomer(userId, id) : billing.getProduct(userId, id))
      const valuesOf = (row: any): Record<string, string> =>
        kind === 'customers'
          ? { name: row.name, gstin: row.gstin ?? '', state_code: row.stateCode, address: row.address, email: row.email }
          : { name: row.name, hsn: row.hsn, unit_price: paiseToInput(row.unitPricePaise), rate: formatPercent(row.rateBps) }

      app.get<{ Querystring: Static<typeof SearchQuery> }>(`/billing/${kind}`, { ...guarded, schema: { querystring: SearchQuery } }, async (request, reply) => {
        const q = request.query.q ?? ''
        const items = list(currentUser(request).id, q)
        // The search box asks for the rows only.
        if (isHtmx(request) && request.headers['hx-target'] === `tbody#${kind}-rows`) return fragment(reply, `billing/${kind}-rows`, { items })
        return page(request, reply, `billing/${kind}`, { items, q })
      })

      app.get(`/billing/${kind}/new`, guarded, async (request, reply) =>
        page(request, reply, `billing/${one}-form`, { values: kind === 'products' ? { rate: '18' } : {}, errors: {}, id: null }),
      )

      app.post<{ Body: Static<typeof Body> }>(`/billing/${kind}`, { ...guarded, schema: { body: Body } }, async (request, reply) => {
        const userId = currentUser(request).id
        const checked = check(request.body as Record<string, unknown>)
        if ('errors' in checked) return page(request, reply, `billing/${one}-form`, { values: request.body, errors: checked.errors, id: null }, 422)
        if (kind === 'customers') billing.createCustomer(userId, checked.value as any)
        else billing.createProduct(userId, checked.value as any)
        return done(request, reply, `/billing/${kind}`, () => page(request, reply, `billing/${kind}`, { items: list(userId, ''), q: '' }))
      })

      app.get<{ Params: Static<typeof IdParams> }>(`/billing/${kind}/:id/edit`, { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
        const row = get(currentUser(request).id, request.params.id)
        if (!row) throw notFound(`You have no ${one} ${request.params.id}`)
        return page(request, reply, `billing/${one}-form`, { values: valuesOf(row), errors: {}, id: row.id })
      })

      app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof Body> }>(
        `/billing/${kind}/:id`,
        { ...guarded, schema: { params: IdParams, body: Body } },
        async (request, reply) => {
          const userId = currentUser(request).id
          const id = request.params.id
          if (!get(userId, id)) throw notFound(`You have no ${one} ${id}`)
          const checked = check(request.body as Record<string, unknown>)
          if ('errors' in checked) return page(request, reply, `billing/${one}-form`, { values: request.body, errors: checked.errors, id }, 422)
          const saved = kind === 'customers' ? billing.updateCustomer(userId, id, checked.value as any) : billing.updateProduct(userId, id, checked.value as any)
          if (!saved) throw notFound(`You have no ${one} ${id}`)
          return done(request, reply, `/billing/${kind}`, () => page(request, reply, `billing/${kind}`, { items: list(userId, ''), q: '' }))
        },
      )

      app.post<{ Params: Static<typeof IdParams> }>(`/billing/${kind}/:id/delete`, { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
        const userId = currentUser(request).id
        let deleted = false
        try {
          deleted = kind === 'customers' ? billing.deleteCustomer(userId, request.params.id) : billing.deleteProduct(userId, request.params.id)
        } catch (err) {
          rethrowConflict(err)
        }
        if (!deleted) throw notFound(`You have no ${one} ${request.params.id}`)
        return done(request, reply, `/billing/${kind}`, () => page(request, reply, `billing/${kind}`, { items: list(userId, ''), q: '' }))
      })
    }

    // ------------------------------------------------------------ invoices

    app.get<{ Querystring: Static<typeof InvoiceListQuery> }>(
      '/billing/invoices',
      { ...guarded, schema: { querystring: InvoiceListQuery } },
      async (request, reply) => {
        const userId = currentUser(request).id
        const status = (request.query.status || null) as InvoiceStatus | null
        const q = request.query.q ?? ''
        const items = billing.listInvoices(userId, { status, q })
        if (isHtmx(request) && request.headers['hx-target'] === 'tbody#invoice-rows') return fragment(reply, 'billing/invoice-rows', { items })
        return page(request, reply, 'billing/invoices', { items, status, q, profile: billing.getProfile(userId) })
      },
    )

    /** Everything the invoice form needs, from the values typed so far. */
    function invoiceFormData(userId: number, body: InvoiceBodyT, errors: FieldErrors = {}) {
      const rows = formLines(body as InvoiceForm)
      if (!rows.length) rows.push({ product_id: '', quantity: '1', unit_price: '', discount: '' })
      const checked = checkInvoice(body as InvoiceForm)
      const preview = billing.preview(userId, checked.value)
      return {
        values: body,
        rows,
        errors,
        preview,
        profile: billing.getProfile(userId),
        customers: billing.listCustomers(userId),
        products: billing.listProducts(userId),
      }
    }

    app.get('/billing/invoices/new', guarded, async (request, reply) => {
      const userId = currentUser(request).id
      const due = addDays(billing.today(), DEFAULT_PAYMENT_TERMS_DAYS)
      return page(request, reply, 'billing/invoice-new', invoiceFormData(userId, { due_date: due, quantity: ['1'] }))
    })

    /** The live totals (hx-post on input): the totals block plus each line's amount, out of band. */
    app.post<{ Body: InvoiceBodyT }>('/billing/invoices/preview', { ...guarded, schema: { body: InvoiceBody } }, async (request, reply) => {
      const data = invoiceFormData(currentUser(request).id, request.body)
      return fragment(reply, 'billing/invoice-totals', { ...data, oobLines: true })
    })

    /** Adds (`add`) or removes (`remove=<row>`) a line: the whole lines editor, totals out of band. */
    app.post<{ Body: InvoiceBodyT }>('/billing/invoices/lines', { ...guarded, schema: { body: InvoiceBody } }, async (request, reply) => {
      const body = { ...request.body }
      const rows = formLines(body as InvoiceForm)
      const remove = body.remove !== undefined && /^\d+$/.test(body.remove) ? Number(body.remove) : -1
      const kept = rows.filter((_, i) => i !== remove)
      if (body.add) kept.push({ product_id: '', quantity: '1', unit_price: '', discount: '' })
      const next = {
        ...body,
        product_id: kept.map((r) => r.product_id),
        quantity: kept.map((r) => r.quantity),
        unit_price: kept.map((r) => r.unit_price),
        discount: kept.map((r) => r.discount),
      }
      const data = invoiceFormData(currentUser(request).id, next)
      return fragment(reply, 'billing/invoice-lines', { ...data, oobTotals: true })
    })

    app.post<{ Body: InvoiceBodyT }>('/billing/invoices', { ...guarded, schema: { body: InvoiceBody } }, async (request, reply) => {
      const userId = currentUser(request).id
      const checked = checkInvoice(request.body as InvoiceForm)
      let errors = checked.errors
      if (!Object.keys(errors).length) {
        const created = billing.createInvoice(userId, checked.value, { issue: request.body.action !== 'draft' })
        if ('ok' in created) {
          const url = `/billing/invoices/${created.ok.id}`
          return done(request, reply, url, () => page(request, reply, 'billing/invoice', { ...billing.getInvoice(userId, created.ok.id)! }))
        }
        errors = created.errors
      }
      return page(request, reply, 'billing/invoice-new', invoiceFormData(userId, request.body, errors), 422)
    })

    /** A draft back in the invoice form. */
    app.get<{ Params: Static<typeof IdParams> }>('/billing/invoices/:id/edit', { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
      const userId = currentUser(request).id
      const view = billing.getInvoice(userId, request.params.id)
      if (!view) throw notFound(`You have no invoice ${request.params.id}`)
      if (view.status !== 'draft') throw conflict(`Invoice ${view.invoice.number} is issued and cannot be changed.`)
      const i = view.invoice
      const values: InvoiceBodyT = {
        customer_id: String(i.customerId),
        place_of_supply: i.placeOfSupply,
        due_date: i.dueDate,
        notes: i.notes,
        product_id: view.lines.map((l) => String(l.productId)),
        quantity: view.lines.map((l) => formatScaled(l.quantityMilli, 3)),
        unit_price: view.lines.map((l) => paiseToInput(l.unitPricePaise)),
        discount: view.lines.map((l) => (l.discountBps ? formatPercent(l.discountBps) : '')),
      }
      return page(request, reply, 'billing/invoice-new', { ...invoiceFormData(userId, values), editId: i.id })
    })

    app.post<{ Params: Static<typeof IdParams>; Body: InvoiceBodyT }>(
      '/billing/invoices/:id',
      { ...guarded, schema: { params: IdParams, body: InvoiceBody } },
      async (request, reply) => {
        const userId = currentUser(request).id
        const id = request.params.id
        const checked = checkInvoice(request.body as InvoiceForm)
        let errors = checked.errors
        if (!billing.getInvoice(userId, id)) throw notFound(`You have no invoice ${id}`)
        if (!Object.keys(errors).length) {
          let saved: ReturnType<BillingService['updateDraft']> = null
          try {
            saved = billing.updateDraft(userId, id, checked.value, { issue: request.body.action !== 'draft' })
          } catch (err) {
            rethrowConflict(err)
          }
          if (!saved) throw notFound(`You have no invoice ${id}`)
          if ('ok' in saved) {
            const url = `/billing/invoices/${id}`
            return done(request, reply, url, () => page(request, reply, 'billing/invoice', { ...billing.getInvoice(userId, id)! }))
          }
          errors = saved.errors
        }
        return page(request, reply, 'billing/invoice-new', { ...invoiceFormData(userId, request.body, errors), editId: id }, 422)
      },
    )

    app.get<{ Params: Static<typeof IdParams> }>('/billing/invoices/:id', { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
      const view = billing.getInvoice(currentUser(request).id, request.params.id)
      if (!view) throw notFound(`You have no invoice ${request.params.id}`)
      return page(request, reply, 'billing/invoice', { ...view })
    })

    for (const action of ['issue', 'paid', 'delete'] as const) {
      app.post<{ Params: Static<typeof IdParams> }>(`/billing/invoices/:id/${action}`, { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
        const userId = currentUser(request).id
        const id = request.params.id
        let found: unknown = null
        try {
          if (action === 'issue') found = billing.issueInvoice(userId, id)
          else if (action === 'paid') found = billing.markPaid(userId, id)
          else found = billing.deleteDraft(userId, id) || null
        } catch (err) {
          rethrowConflict(err)
        }
        if (!found) throw notFound(`You have no invoice ${id}`)
        if (action === 'delete') {
          return done(request, reply, '/billing/invoices', () =>
            page(request, reply, 'billing/invoices', { items: billing.listInvoices(userId), status: null, q: '', profile: billing.getProfile(userId) }),
          )
        }
        const url = `/billing/invoices/${id}`
        return done(request, reply, url, () => page(request, reply, 'billing/invoice', { ...billing.getInvoice(userId, id)! }))
      })
    }

    // ------------------------------------------------------------ JSON API

    function invoiceJson(view: NonNullable<ReturnType<BillingService['getInvoice']>>) {
      const i = view.invoice
      return {
        id: i.id,
        number: i.number,
        status: view.status,
        invoice_date: i.invoiceDate,
        due_date: i.dueDate,
        customer_id: i.customerId,
        buyer_name: i.buyerName,
        place_of_supply: i.placeOfSupply,
        supply: i.supply,
        taxable_paise: i.taxablePaise,
        cgst_paise: i.cgstPaise,
        sgst_paise: i.sgstPaise,
        igst_paise: i.igstPaise,
        round_off_paise: i.roundOffPaise,
        total_paise: i.totalPaise,
        paid_at: i.paidAt === null ? null : new Date(i.paidAt).toISOString(),
        lines: view.lines.map((l) => ({
          product_id: l.productId,
          description: l.description,
          hsn: l.hsn,
          quantity: formatScaled(l.quantityMilli, 3),
          unit_price_paise: l.unitPricePaise,
          discount_percent: formatPercent(l.discountBps),
          rate_percent: formatPercent(l.rateBps),
          taxable_paise: l.taxablePaise,
          cgst_paise: l.cgstPaise,
          sgst_paise: l.sgstPaise,
          igst_paise: l.igstPaise,
          total_paise: l.totalPaise,
        })),
      }
    }

    app.get<{ Querystring: Static<typeof InvoiceListQuery> }>(
      '/api/billing/invoices',
      { ...guarded, schema: { querystring: InvoiceListQuery } },
      async (request) => {
        const userId = currentUser(request).id
        const items = billing.listInvoices(userId, { status: (request.query.status || null) as InvoiceStatus | null, q: request.query.q })
        return { invoices: items.map((i) => invoiceJson(billing.getInvoice(userId, i.id)!)) }
      },
    )

    app.post<{ Body: Static<typeof ApiInvoiceBody> }>('/api/billing/invoices', { ...guarded, schema: { body: ApiInvoiceBody } }, async (request, reply) => {
      const userId = currentUser(request).id
      const b = request.body
      const checked = checkInvoice({
        customer_id: b.customer_id,
        place_of_supply: b.place_of_supply,
        due_date: b.due_date,
        notes: b.notes,
        product_id: b.lines.map((l) => String(l.product_id)),
        quantity: b.lines.map((l) => String(l.quantity ?? '1')),
        unit_price: b.lines.map((l) => (l.unit_price === null || l.unit_price === undefined ? '' : String(l.unit_price))),
        discount: b.lines.map((l) => String(l.discount ?? '')),
      })
      if (Object.keys(checked.errors).length) throw invalid(checked.errors, { status: 422 })
      const created = billing.createInvoice(userId, checked.value, { issue: b.issue !== false })
      if ('errors' in created) throw invalid(created.errors, { status: 422 })
      return reply.status(201).send({ invoice: invoiceJson(billing.getInvoice(userId, created.ok.id)!) })
    })

    app.get<{ Params: Static<typeof IdParams> }>('/api/billing/invoices/:id', { ...guarded, schema: { params: IdParams } }, async (request) => {
      const view = billing.getInvoice(currentUser(request).id, request.params.id)
      if (!view) throw notFound(`You have no invoice ${request.params.id}`)
      return { invoice: invoiceJson(view) }
    })

    app.post<{ Params: Static<typeof IdParams> }>('/api/billing/invoices/:id/paid', { ...guarded, schema: { params: IdParams } }, async (request) => {
      const userId = currentUser(request).id
      let paid = null
      try {
        paid = billing.markPaid(userId, request.params.id)
      } catch (err) {
        rethrowConflict(err)
      }
      if (!paid) throw notFound(`You have no invoice ${request.params.id}`)
      return { invoice: invoiceJson(billing.getInvoice(userId, request.params.id)!) }
    })
  },
  { name: 'billing', dependencies: ['http'] },
)
