/**
 * What every part of the billing service shares: the database, the bus, the
 * notifications service, the clock, and lookups scoped to the calling business
 * (another business's id is "not found", never "forbidden": ids do not leak).
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { Db } from '../../../db/client.js'
import { lockKey, type Tx } from '../../../db/transact.js'
import { notFound } from '../../../errors.js'
import type { Bus } from '../../../realtime/bus.js'
import type { NotificationService } from '../../notifications/service.js'
import { indianDate } from '../calendar.js'
import { billingCustomers, billingInvoices, billingProducts, type CustomerRow, type InvoiceRow, type ProductRow } from '../schema.js'

export interface BillingServiceDeps {
  db: Db
  bus: Bus
  notifications: NotificationService
  /** The clock (ms since epoch); tests move it. */
  now?: () => number
}

export interface BillingContext {
  db: Db
  bus: Bus
  notifications: NotificationService
  now: () => number
  /** Today's date in India, YYYY-MM-DD. */
  today: () => string
}

/** A transaction, or the database itself for a single read. */
export type Conn = Tx | Db

export function billingContext({ db, bus, notifications, now = Date.now }: BillingServiceDeps): BillingContext {
  return { db, bus, notifications, now, today: () => indianDate(now()) }
}

/** LIKE pattern text with its wildcards escaped (used with ESCAPE '\'). */
export function escapeLike(text: string) {
  return text.replace(/[\\%_]/g, (c) => '\\' + c)
}

export async function findCustomer(conn: Conn, userId: number, id: number): Promise<CustomerRow | undefined> {
  return (await conn.select().from(billingCustomers).where(and(eq(billingCustomers.id, id), eq(billingCustomers.userId, userId))).limit(1))[0]
}

export async function ownCustomer(conn: Conn, userId: number, id: number): Promise<CustomerRow> {
  const customer = await findCustomer(conn, userId, id)
  if (!customer) throw notFound(`You have no customer ${id}`)
  return customer
}

export async function ownProduct(conn: Conn, userId: number, id: number): Promise<ProductRow> {
  const product = (await conn.select().from(billingProducts).where(and(eq(billingProducts.id, id), eq(billingProducts.userId, userId))).limit(1))[0]
  if (!product) throw notFound(`You have no product ${id}`)
  return product
}

/** This business's products among `ids`, by id (others' are simply absent). */
export async function productsById(conn: Conn, userId: number, ids: number[]): Promise<Map<number, ProductRow>> {
  if (!ids.length) return new Map()
  const rows = await conn
    .select()
    .from(billingProducts)
    .where(and(eq(billingProducts.userId, userId), inArray(billingProducts.id, [...new Set(ids)])))
  return new Map(rows.map((p) => [p.id, p]))
}

export async function ownInvoice(conn: Conn, userId: number, id: number): Promise<InvoiceRow> {
  // A payment, a note, issuing or cancelling decides from this row: one at a time per invoice.
  await lockKey(conn, `invoice:${id}`)
  const invoice = (await conn.select().from(billingInvoices).where(and(eq(billingInvoices.id, id), eq(billingInvoices.userId, userId))).limit(1))[0]
  if (!invoice) throw notFound(`You have no invoice ${id}`)
  return invoice
}
