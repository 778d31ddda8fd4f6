/**
 * GST billing: a business profile, customers, products and invoices per user.
 * Every read and write is scoped to the calling user (others' ids are "not
 * found"); every change is one IMMEDIATE transaction, and its notification is
 * written in that transaction and pushed after commit.
 */
import { and, asc, desc, eq, inArray, isNull, like, lt, or, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { transact, type Outbox, type Tx } from '../../db/transact.js'
import type { Bus } from '../../realtime/bus.js'
import type { FieldErrors } from '../../errors.js'
import type { NotificationService } from '../notifications/service.js'
import type { CustomerInput, InvoiceDraft, ProductInput, ProfileInput } from './forms.js'
import {
  addDays,
  computeInvoice,
  financialYear,
  formatPaise,
  indianDate,
  invoiceNumber,
  supplyType,
  type InvoiceTotals,
  type LineInput,
  type Supply,
} from './gst.js'
import {
  billingCustomers,
  billingInvoiceLines,
  billingInvoices,
  billingProducts,
  billingProfiles,
  type BillingProfileRow,
  type CustomerRow,
  type InvoiceLineRow,
  type InvoiceRow,
  type ProductRow,
} from './schema.js'

/** Days from the invoice date to the due date when the form leaves it empty. */
export const DEFAULT_PAYMENT_TERMS_DAYS = 30

export type InvoiceStatus = 'draft' | 'issued' | 'overdue' | 'paid'
export const INVOICE_STATUSES: readonly InvoiceStatus[] = ['draft', 'issued', 'overdue', 'paid']

export type Result<T> = { ok: T } | { errors: FieldErrors }

/** Thrown for changes the invoice's state forbids (mark a draft paid, ...): 409. */
export class BillingConflict extends Error {}

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

/** An invoice's status as people see it: issued and past its due date is overdue. */
export function invoiceStatus(invoice: Pick<InvoiceRow, 'status' | 'dueDate'>, today: string): InvoiceStatus {
  if (invoice.status === 'issued' && invoice.dueDate < today) return 'overdue'
  return invoice.status as InvoiceStatus
}

export function invoiceLink(id: number) {
  return `/billing/invoices/${id}`
}

export interface BillingServiceDeps {
  db: Db
  bus: Bus
  notifications: NotificationService
  /** The clock (ms since epoch); tests move it. */
  now?: () => number
}

function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (c) => '\\' + c)
}

export function createBillingService({ db, bus, notifications, now = Date.now }: BillingServiceDeps) {
  const today = () => indianDate(now())

  function lineInputs(lines: Array<Pick<InvoiceLineRow, 'quantityMilli' | 'unitPricePaise' | 'discountBps' | 'rateBps'>>): LineInput[] {
    return lines.map((l) => ({ quantityMilli: l.quantityMilli, unitPricePaise: l.unitPricePaise, discountBps: l.discountBps, rateBps: l.rateBps }))
  }

  function ownCustomer(tx: Tx | Db, userId: number, id: number): CustomerRow | undefined {
    return tx.select().from(billingCustomers).where(and(eq(billingCustomers.id, id), eq(billingCustomers.userId, userId))).get()
  }

  function ownProducts(tx: Tx | Db, userId: number, ids: number[]): Map<number, ProductRow> {
    if (!ids.length) return new Map()
    const rows = tx
      .select()
      .from(billingProducts)
      .where(and(eq(billingProducts.userId, userId), inArray(billingProducts.id, [...new Set(ids)])))
      .all()
    return new Map(rows.map((p) => [p.id, p]))
  }

  function ownInvoice(tx: Tx | Db, userId: number, id: number): InvoiceRow | undefined {
    return tx.select().from(billingInvoices).where(and(eq(billingInvoices.id, id), eq(billingInvoices.userId, userId))).get()
  }

  /** Next number of this business's financial year, in the caller's transaction. */
  function nextSequence(tx: Tx, userId: number, fy: string): number {
    const row = tx.get<{ last_number: number }>(sql`
      INSERT INTO billing_invoice_counters (user_id, financial_year, last_number) VALUES (${userId}, ${fy}, 1)
      ON CONFLICT (user_id, financial_year) DO UPDATE SET last_number = last_number + 1
      RETURNING last_number`)
    return row.last_number
  }

  function amountText(invoice: InvoiceRow) {
    return `₹${formatPaise(invoice.totalPaise)}`
  }

  function notifyCreated(tx: Tx, outbox: Outbox, invoice: InvoiceRow) {
    notifications.createIn(tx, outbox, [invoice.userId], {
      kind: 'invoice_created',
      title: `Invoice ${invoice.number} created`,
      message: `${amountText(invoice)} to ${invoice.buyerName}, due ${invoice.dueDate}`,
      linkUrl: invoiceLink(invoice.id),
      linkText: 'View invoice',
    })
  }

  /** Assigns the next number and today's date to a draft (or new) invoice row. */
  function issueIn(tx: Tx, outbox: Outbox, invoice: InvoiceRow): InvoiceRow {
    const date = today()
    if (invoice.dueDate < date) throw new BillingConflict(`The due date ${invoice.dueDate} is before today (${date}); change it first.`)
    const fy = financialYear(date)
    const sequence = nextSequence(tx, invoice.userId, fy)
    const issued = tx
      .update(billingInvoices)
      .set({ status: 'issued', number: invoiceNumber(fy, sequence), financialYear: fy, sequence, invoiceDate: date, issuedAt: now() })
      .where(and(eq(billingInvoices.id, invoice.id), eq(billingInvoices.status, 'draft')))
      .returning()
      .get()
    if (!issued) throw new BillingConflict('Only a draft can be issued.')
    notifyCreated(tx, outbox, issued)
    return issued
  }

  const NOT_FOUND = Symbol('not found')

  /** Writes a new invoice (id null) or rewrites a draft, as a draft or issued at once. */
  function saveInvoice(userId: number, id: number | null, draft: InvoiceDraft, opts: { issue: boolean }): Result<InvoiceRow> | null {
    const errors: FieldErrors = {}
    const result = transact(db, bus, (tx, outbox) => {
      const existing = id === null ? null : ownInvoice(tx, userId, id)
      if (existing === undefined) return NOT_FOUND
      if (existing && existing.status !== 'draft') throw new BillingConflict(`Invoice ${existing.number} is issued and cannot be changed.`)
      const profile = tx.select().from(billingProfiles).where(eq(billingProfiles.userId, userId)).get()
      if (!profile) errors.form = 'Fill in your business profile first (legal name, GSTIN, state).'
      const customer = draft.customerId === null ? undefined : ownCustomer(tx, userId, draft.customerId)
      if (!customer) errors.customer_id = 'Choose one of your customers.'
      const products = ownProducts(
        tx,
        userId,
        draft.lines.map((l) => l.productId),
      )
      draft.lines.forEach((l) => {
        if (!products.has(l.productId)) errors[`line_${l.row}`] = 'Choose one of your products.'
      })
      if (!draft.lines.length) errors.lines = 'Add at least one line.'
      const date = today()
      const dueDate = draft.dueDate ?? addDays(date, DEFAULT_PAYMENT_TERMS_DAYS)
      if (dueDate < date) errors.due_date = `The due date cannot be before the invoice date (${date}).`
      if (Object.keys(errors).length || !profile || !customer) return null

      const placeOfSupply = draft.placeOfSupply ?? customer.stateCode
      const supply = supplyType(profile.stateCode, placeOfSupply)
      const lines = draft.lines.map((l) => {
        const p = products.get(l.productId)!
        return { ...l, product: p, unitPricePaise: l.unitPricePaise ?? p.unitPricePaise, rateBps: p.rateBps }
      })
      const totals = computeInvoice(lineInputs(lines), supply)
      const t = now()
      const values = {
        userId,
        status: 'draft',
        customerId: customer.id,
        invoiceDate: date,
        dueDate,
        placeOfSupply,
        supply,
        sellerName: profile.legalName,
        sellerGstin: profile.gstin,
        sellerStateCode: profile.stateCode,
        sellerAddress: profile.address,
        buyerName: customer.name,
        buyerGstin: customer.gstin,
        buyerStateCode: customer.stateCode,
        buyerAddress: customer.address,
        buyerEmail: customer.email,
        notes: draft.notes,
        taxablePaise: totals.taxablePaise,
        discountPaise: totals.discountPaise,
        cgstPaise: totals.cgstPaise,
        sgstPaise: totals.sgstPaise,
        igstPaise: totals.igstPaise,
        roundOffPaise: totals.roundOffPaise,
        totalPaise: totals.grandTotalPaise,
        createdAt: t,
      }
      let invoice: InvoiceRow
      if (existing) {
        const { createdAt: _created, ...changes } = values
        invoice = tx.update(billingInvoices).set(changes).where(eq(billingInvoices.id, existing.id)).returning().get()!
        tx.delete(billingInvoiceLines).where(eq(billingInvoiceLines.invoiceId, existing.id)).run()
      } else {
        invoice = tx.insert(billingInvoices).values(values).returning().get()
      }
      tx.insert(billingInvoiceLines)
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
              unitPricePaise: l.unitPricePaise,
              discountBps: l.discountBps,
              rateBps: l.rateBps,
              discountPaise: a.discountPaise,
              taxablePaise: a.taxablePaise,
              cgstPaise: a.cgstPaise,
              sgstPaise: a.sgstPaise,
              igstPaise: a.igstPaise,
              totalPaise: a.totalPaise,
            }
          }),
        )
        .run()
      return opts.issue ? issueIn(tx, outbox, invoice) : invoice
    })
    if (result === NOT_FOUND) return null
    return result ? { ok: result } : { errors }
  }

  const service = {
    now,
    today,

    // ------------------------------------------------------------ profile

    getProfile(userId: number): BillingProfileRow | null {
      return db.select().from(billingProfiles).where(eq(billingProfiles.userId, userId)).get() ?? null
    },

    saveProfile(userId: number, input: ProfileInput): BillingProfileRow {
      const values = { ...input, updatedAt: now() }
      return db
        .insert(billingProfiles)
        .values({ userId, ...values })
        .onConflictDoUpdate({ target: billingProfiles.userId, set: values })
        .returning()
        .get()
    },

    // ------------------------------------------------------------ customers

    listCustomers(userId: number, q = ''): CustomerRow[] {
      const where: SQL[] = [eq(billingCustomers.userId, userId)]
      const term = q.trim()
      if (term) {
        const pattern = `%${escapeLike(term)}%`
        where.push(
          or(
            sql`${billingCustomers.name} LIKE ${pattern} ESCAPE '\\'`,
            sql`${billingCustomers.gstin} LIKE ${pattern.toUpperCase()} ESCAPE '\\'`,
            sql`${billingCustomers.email} LIKE ${pattern} ESCAPE '\\'`,
          )!,
        )
      }
      return db
        .select()
        .from(billingCustomers)
        .where(and(...where))
        .orderBy(sql`${billingCustomers.name} COLLATE NOCASE`, asc(billingCustomers.id))
        .limit(500)
        .all()
    },

    getCustomer(userId: number, id: number): CustomerRow | null {
      return ownCustomer(db, userId, id) ?? null
    },

    createCustomer(userId: number, input: CustomerInput): CustomerRow {
      const t = now()
      return db
        .insert(billingCustomers)
        .values({ userId, ...input, createdAt: t, updatedAt: t })
        .returning()
        .get()
    },

    /** null when it is not this user's customer. Issued invoices keep their copy of the old details. */
    updateCustomer(userId: number, id: number, input: CustomerInput): CustomerRow | null {
      return (
        db
          .update(billingCustomers)
          .set({ ...input, updatedAt: now() })
          .where(and(eq(billingCustomers.id, id), eq(billingCustomers.userId, userId)))
          .returning()
          .get() ?? null
      )
    },

    /** false when not found; BillingConflict while an invoice names the customer. */
    deleteCustomer(userId: number, id: number): boolean {
      return db.transaction(
        (tx) => {
          if (!ownCustomer(tx, userId, id)) return false
          const used = tx.select({ id: billingInvoices.id }).from(billingInvoices).where(eq(billingInvoices.customerId, id)).limit(1).get()
          if (used) throw new BillingConflict('This customer is on an invoice, so it cannot be deleted.')
          tx.delete(billingCustomers).where(eq(billingCustomers.id, id)).run()
          return true
        },
        { behavior: 'immediate' },
      )
    },

    // ------------------------------------------------------------ products

    listProducts(userId: number, q = ''): ProductRow[] {
      const where: SQL[] = [eq(billingProducts.userId, userId)]
      const term = q.trim()
      if (term) {
        const pattern = `%${escapeLike(term)}%`
        where.push(or(sql`${billingProducts.name} LIKE ${pattern} ESCAPE '\\'`, like(billingProducts.hsn, `${escapeLike(term)}%`))!)
      }
      return db
        .select()
        .from(billingProducts)
        .where(and(...where))
        .orderBy(sql`${billingProducts.name} COLLATE NOCASE`, asc(billingProducts.id))
        .limit(500)
        .all()
    },

    getProduct(userId: number, id: number): ProductRow | null {
      return db.select().from(billingProducts).where(and(eq(billingProducts.id, id), eq(billingProducts.userId, userId))).get() ?? null
    },

    createProduct(userId: number, input: ProductInput): ProductRow {
      const t = now()
      return db
        .insert(billingProducts)
        .values({ userId, ...input, createdAt: t, updatedAt: t })
        .returning()
        .get()
    },

    updateProduct(userId: number, id: number, input: ProductInput): ProductRow | null {
      return (
        db
          .update(billingProducts)
          .set({ ...input, updatedAt: now() })
          .where(and(eq(billingProducts.id, id), eq(billingProducts.userId, userId)))
          .returning()
          .get() ?? null
      )
    },

    deleteProduct(userId: number, id: number): boolean {
      return db.transaction(
        (tx) => {
          if (!service.getProduct(userId, id)) return false
          const used = tx.select({ id: billingInvoiceLines.id }).from(billingInvoiceLines).where(eq(billingInvoiceLines.productId, id)).limit(1).get()
          if (used) throw new BillingConflict('This product is on an invoice, so it cannot be deleted.')
          tx.delete(billingProducts).where(eq(billingProducts.id, id)).run()
          return true
        },
        { behavior: 'immediate' },
      )
    },

    // ------------------------------------------------------------ invoices

    /**
     * The totals of a form being typed: unknown or foreign products and
     * customers are left out, nothing is written.
     */
    preview(userId: number, draft: InvoiceDraft): Preview {
      const profile = service.getProfile(userId)
      const customer = draft.customerId === null ? null : (ownCustomer(db, userId, draft.customerId) ?? null)
      const placeOfSupply = draft.placeOfSupply ?? customer?.stateCode ?? null
      const supply = profile && placeOfSupply ? supplyType(profile.stateCode, placeOfSupply) : null
      const products = ownProducts(
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

    /**
     * Writes an invoice as a draft, or issues it at once (`issue`): the next
     * number of the financial year, today's date, and an `invoice_created`
     * notification, all in one transaction.
     */
    createInvoice(userId: number, draft: InvoiceDraft, opts: { issue: boolean }): Result<InvoiceRow> {
      return saveInvoice(userId, null, draft, opts)!
    },

    /**
     * Rewrites a draft (customer, lines, dates), optionally issuing it in the
     * same transaction. Null when it is not this user's invoice; BillingConflict
     * once it is issued (issued invoices never change).
     */
    updateDraft(userId: number, id: number, draft: InvoiceDraft, opts: { issue: boolean }): Result<InvoiceRow> | null {
      return saveInvoice(userId, id, draft, opts)
    },

    /** Gives a draft its number; null when not this user's invoice. */
    issueInvoice(userId: number, id: number): InvoiceRow | null {
      return transact(db, bus, (tx, outbox) => {
        const invoice = ownInvoice(tx, userId, id)
        if (!invoice) return null
        if (invoice.status !== 'draft') throw new BillingConflict(`Invoice ${invoice.number} is already issued.`)
        return issueIn(tx, outbox, invoice)
      })
    },

    /** Marks an issued (or overdue) invoice paid and notifies `invoice_paid`. */
    markPaid(userId: number, id: number): InvoiceRow | null {
      return transact(db, bus, (tx, outbox) => {
        const invoice = ownInvoice(tx, userId, id)
        if (!invoice) return null
        if (invoice.status === 'draft') throw new BillingConflict('A draft cannot be paid: issue it first.')
        if (invoice.status === 'paid') throw new BillingConflict(`Invoice ${invoice.number} is already paid.`)
        const paid = tx
          .update(billingInvoices)
          .set({ status: 'paid', paidAt: now() })
          .where(and(eq(billingInvoices.id, id), eq(billingInvoices.status, 'issued')))
          .returning()
          .get()!
        notifications.createIn(tx, outbox, [userId], {
          kind: 'invoice_paid',
          title: `Invoice ${paid.number} paid`,
          message: `${amountText(paid)} from ${paid.buyerName}`,
          linkUrl: invoiceLink(paid.id),
          linkText: 'View invoice',
        })
        return paid
      })
    },

    /** Deletes a draft (it has no number, so no gap); issued invoices stay. */
    deleteDraft(userId: number, id: number): boolean {
      return transact(db, bus, (tx) => {
        const invoice = ownInvoice(tx, userId, id)
        if (!invoice) return false
        if (invoice.status !== 'draft') throw new BillingConflict('Only drafts can be deleted; issued invoices are kept.')
        tx.delete(billingInvoices).where(eq(billingInvoices.id, id)).run()
        return true
      })
    },

    getInvoice(userId: number, id: number): InvoiceView | null {
      const invoice = ownInvoice(db, userId, id)
      if (!invoice) return null
      const lines = db.select().from(billingInvoiceLines).where(eq(billingInvoiceLines.invoiceId, id)).orderBy(asc(billingInvoiceLines.position)).all()
      return { invoice, status: invoiceStatus(invoice, today()), lines, totals: computeInvoice(lineInputs(lines), invoice.supply as Supply) }
    },

    listInvoices(userId: number, opts: { status?: InvoiceStatus | null; q?: string; limit?: number } = {}): Array<InvoiceRow & { displayStatus: InvoiceStatus }> {
      const date = today()
      const where: SQL[] = [eq(billingInvoices.userId, userId)]
      switch (opts.status) {
        case 'draft':
          where.push(eq(billingInvoices.status, 'draft'))
          break
        case 'paid':
          where.push(eq(billingInvoices.status, 'paid'))
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
        // newest first: by date, then number (drafts, unnumbered, above), then id
        .orderBy(desc(billingInvoices.invoiceDate), sql`${billingInvoices.sequence} IS NULL DESC`, desc(billingInvoices.sequence), desc(billingInvoices.id))
        .limit(Math.min(opts.limit ?? 200, 500))
        .all()
        .map((r) => ({ ...r, displayStatus: invoiceStatus(r, date) }))
    },

    /**
     * Notifies `invoice_overdue` once per invoice whose due date has passed
     * unpaid. Each invoice is claimed with a conditional UPDATE (only while
     * overdue_notified_at IS NULL) in the same IMMEDIATE transaction as its
     * notification, so restarts and several processes never notify twice.
     * Returns how many were notified.
     */
    notifyOverdue(batch = 200): number {
      let total = 0
      for (;;) {
        const date = today()
        const claimedAt = now()
        const n = transact(db, bus, (tx, outbox) => {
          const due = tx
            .select()
            .from(billingInvoices)
            .where(and(eq(billingInvoices.status, 'issued'), isNull(billingInvoices.overdueNotifiedAt), lt(billingInvoices.dueDate, date)))
            .orderBy(asc(billingInvoices.dueDate))
            .limit(batch)
            .all()
          let claimed = 0
          for (const invoice of due) {
            const won = tx
              .update(billingInvoices)
              .set({ overdueNotifiedAt: claimedAt })
              .where(and(eq(billingInvoices.id, invoice.id), eq(billingInvoices.status, 'issued'), isNull(billingInvoices.overdueNotifiedAt)))
              .run().changes
            if (!won) continue
            claimed++
            notifications.createIn(tx, outbox, [invoice.userId], {
              kind: 'invoice_overdue',
              title: `Invoice ${invoice.number} is overdue`,
              message: `${amountText(invoice)} from ${invoice.buyerName} was due on ${invoice.dueDate}`,
              linkUrl: invoiceLink(invoice.id),
              linkText: 'View invoice',
            })
          }
          return { claimed, more: due.length === batch }
        })
        total += n.claimed
        if (!n.more) return total
      }
    },
  }
  return service
}

export type BillingService = ReturnType<typeof createBillingService>
