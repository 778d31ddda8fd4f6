/** PostgreSQL mirror of parties.ts (see accounts/schema.pg.ts): paise are bigint, basis points integer. */
import { sql } from 'drizzle-orm'
import { bigint, check, index, integer, pgTable, text } from 'drizzle-orm/pg-core'
import { users } from '../../accounts/schema.pg.js'

export const billingProfiles = pgTable('billing_profiles', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  legalName: text('legal_name').notNull(),
  gstin: text('gstin').notNull(),
  stateCode: text('state_code').notNull(),
  address: text('address').notNull().default(''),
  signatory: text('signatory').notNull().default(''),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
})

export const billingCustomers = pgTable(
  'billing_customers',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    gstin: text('gstin'),
    stateCode: text('state_code').notNull(),
    address: text('address').notNull().default(''),
    email: text('email').notNull().default(''),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('billing_customers_user_idx').on(t.userId, t.name)],
)

export const billingProducts = pgTable(
  'billing_products',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    hsn: text('hsn').notNull(),
    unitPricePaise: bigint('unit_price_paise', { mode: 'number' }).notNull(),
    rateBps: integer('rate_bps').notNull(),
    unit: text('unit').notNull().default('NOS'),
    taxClass: text('tax_class').notNull().default('taxable'),
    cessBps: integer('cess_bps').notNull().default(0),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [
    index('billing_products_user_idx').on(t.userId, t.name),
    check('billing_products_rate_check', sql`${t.rateBps} IN (0, 25, 300, 500, 1200, 1800, 2800, 4000)`),
    check('billing_products_price_check', sql`${t.unitPricePaise} >= 0`),
    check('billing_products_cess_check', sql`${t.cessBps} BETWEEN 0 AND 30000`),
  ],
)
