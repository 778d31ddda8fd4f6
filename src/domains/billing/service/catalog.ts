/**
 * Customers and products of a business. Issued invoices keep their own copy of
 * a customer's details, so edits never change them; what an invoice refers to
 * cannot be deleted.
 */
import { and, asc, eq, like, or, type SQL } from 'drizzle-orm'
import { ignoringCase, likeIgnoringCase } from '../../../db/dialect.js'
import { transact } from '../../../db/transact.js'
import { conflict } from '../../../errors.js'
import type { CustomerInput, ProductInput } from '../forms/catalog.js'
import { billingCustomers, billingInvoiceLines, billingInvoices, billingProducts, type CustomerRow, type ProductRow } from '../schema.js'
import { escapeLike, ownCustomer, ownProduct, type BillingContext } from './context.js'

const LIST_LIMIT = 500

export function catalogService({ db, bus, now }: BillingContext) {
  return {
    /** Customers by name; `q` matches name, GSTIN or email anywhere. */
    async listCustomers(userId: number, q = ''): Promise<CustomerRow[]> {
      const where: SQL[] = [eq(billingCustomers.userId, userId)]
      const term = q.trim()
      if (term) {
        const pattern = `%${escapeLike(term)}%`
        where.push(
          or(
            likeIgnoringCase(db, billingCustomers.name, pattern),
            likeIgnoringCase(db, billingCustomers.gstin, pattern.toUpperCase()),
            likeIgnoringCase(db, billingCustomers.email, pattern),
          )!,
        )
      }
      return await db
        .select()
        .from(billingCustomers)
        .where(and(...where))
        .orderBy(ignoringCase(db, billingCustomers.name), asc(billingCustomers.id))
        .limit(LIST_LIMIT)
    },

    async getCustomer(userId: number, id: number): Promise<CustomerRow> {
      return ownCustomer(db, userId, id)
    },

    async createCustomer(userId: number, input: CustomerInput): Promise<CustomerRow> {
      const t = now()
      return (await db
        .insert(billingCustomers)
        .values({ userId, ...input, createdAt: t, updatedAt: t })
        .returning())[0]
    },

    async updateCustomer(userId: number, id: number, input: CustomerInput): Promise<CustomerRow> {
      return transact(db, bus, async (tx) => {
        await ownCustomer(tx, userId, id)
        return (await tx
          .update(billingCustomers)
          .set({ ...input, updatedAt: now() })
          .where(eq(billingCustomers.id, id))
          .returning())[0]!
      })
    },

    async deleteCustomer(userId: number, id: number): Promise<void> {
      await transact(db, bus, async (tx) => {
        await ownCustomer(tx, userId, id)
        const used = (await tx.select({ id: billingInvoices.id }).from(billingInvoices).where(eq(billingInvoices.customerId, id)).limit(1))[0]
        if (used) throw conflict('This customer is on an invoice, so it cannot be deleted.')
        await tx.delete(billingCustomers).where(eq(billingCustomers.id, id))
      })
    },

    /** Products by name; `q` matches the name anywhere or the start of the HSN/SAC code. */
    async listProducts(userId: number, q = ''): Promise<ProductRow[]> {
      const where: SQL[] = [eq(billingProducts.userId, userId)]
      const term = q.trim()
      if (term) {
        const pattern = `%${escapeLike(term)}%`
        where.push(or(likeIgnoringCase(db, billingProducts.name, pattern), like(billingProducts.hsn, `${escapeLike(term)}%`))!)
      }
      return await db
        .select()
        .from(billingProducts)
        .where(and(...where))
        .orderBy(ignoringCase(db, billingProducts.name), asc(billingProducts.id))
        .limit(LIST_LIMIT)
    },

    async getProduct(userId: number, id: number): Promise<ProductRow> {
      return ownProduct(db, userId, id)
    },

    async createProduct(userId: number, input: ProductInput): Promise<ProductRow> {
      const t = now()
      return (await db
        .insert(billingProducts)
        .values({ userId, ...input, createdAt: t, updatedAt: t })
        .returning())[0]
    },

    async updateProduct(userId: number, id: number, input: ProductInput): Promise<ProductRow> {
      return transact(db, bus, async (tx) => {
        await ownProduct(tx, userId, id)
        return (await tx
          .update(billingProducts)
          .set({ ...input, updatedAt: now() })
          .where(eq(billingProducts.id, id))
          .returning())[0]!
      })
    },

    async deleteProduct(userId: number, id: number): Promise<void> {
      await transact(db, bus, async (tx) => {
        await ownProduct(tx, userId, id)
        const used = (await tx.select({ id: billingInvoiceLines.id }).from(billingInvoiceLines).where(eq(billingInvoiceLines.productId, id)).limit(1))[0]
        if (used) throw conflict('This product is on an invoice, so it cannot be deleted.')
        await tx.delete(billingProducts).where(eq(billingProducts.id, id))
      })
    },
  }
}
