/** The business profile: the seller printed on this user's invoices. */
import { eq } from 'drizzle-orm'
import type { ProfileInput } from '../forms/catalog.js'
import { billingProfiles, type BillingProfileRow } from '../schema.js'
import type { BillingContext, Conn } from './context.js'

export function findProfile(conn: Conn, userId: number): BillingProfileRow | undefined {
  return conn.select().from(billingProfiles).where(eq(billingProfiles.userId, userId)).get()
}

export function profileService({ db, now }: BillingContext) {
  return {
    /** null until the business has filled in its profile (a state, not a failure). */
    getProfile(userId: number): BillingProfileRow | null {
      return findProfile(db, userId) ?? null
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
  }
}
