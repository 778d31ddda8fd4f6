/** The business (seller profile) and its catalog: customers and products. Money is integer paise, rates basis points. */
import { sql } from 'drizzle-orm'
import { check, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from '../../accounts/schema.js'

/** The seller on this user's invoices. */
export const billingProfiles = sqliteTable('billing_profiles', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  legalName: text('legal_name').notNull(),
  gstin: text('gstin').notNull(),
  stateCode: text('state_code').notNull(),
  address: text('address').notNull().default(''),
  /** who signs the invoices (Rule 46(q)): "Priya Shah, Partner" */
  signatory: text('signatory').notNull().default(''),
  updatedAt: integer('updated_at').notNull(),
})

export const billingCustomers = sqliteTable(
  'billing_customers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** null for unregistered buyers (B2C) */
    gstin: text('gstin'),
    stateCode: text('state_code').notNull(),
    address: text('address').notNull().default(''),
    email: text('email').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('billing_customers_user_idx').on(t.userId, t.name)],
)

export const billingProducts = sqliteTable(
  'billing_products',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** HSN (goods) or SAC (services) code */
    hsn: text('hsn').notNull(),
    unitPricePaise: integer('unit_price_paise').notNull(),
    rateBps: integer('rate_bps').notNull(),
    /** GST UQC of the quantity: KGS, NOS, ... */
    unit: text('unit').notNull().default('NOS'),
    /** taxable | zero | nil | exempt | non_gst (see gst.ts) */
    taxClass: text('tax_class').notNull().default('taxable'),
    cessBps: integer('cess_bps').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('billing_products_user_idx').on(t.userId, t.name),
    check('billing_products_rate_check', sql`${t.rateBps} IN (0, 25, 300, 500, 1200, 1800, 2800, 4000)`),
    check('billing_products_price_check', sql`${t.unitPricePaise} >= 0`),
    check('billing_products_cess_check', sql`${t.cessBps} BETWEEN 0 AND 30000`),
  ],
)

export type BillingProfileRow = typeof billingProfiles.$inferSelect
export type CustomerRow = typeof billingCustomers.$inferSelect
export type ProductRow = typeof billingProducts.$inferSelect
