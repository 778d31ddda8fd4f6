/** The business profile: the seller printed on this user's invoices. */
import { eq } from 'drizzle-orm'
import type { ProfileInput } from '../forms/catalog.js'
import { billingProfiles, type BillingProfileRow } from '../schema.js'
import type { BillingContext, Conn } from './context.js'

export async function findProfile(conn: Conn, userId: number): Promise<BillingProfileRow | undefined> {
  return (await conn.select().from(billingProfiles).where(eq(billingProfiles.userId, userId)).limit(1))[0]
}

export function profileService({ db, now }: BillingContext) {
  return {
    /** null until the business has filled in its profile (a state, not a failure). */
    async getProfile(userId: number): Promise<BillingProfileRow | null> {
      return await findProfile(db, userId) ?? null
    },

    async saveProfile(userId: number, input: ProfileInput): Promise<BillingProfileRow> {
      const values = { ...input, updatedAt: now() }
      return (await db
        .insert(billingProfiles)
        .values({ userId, ...values })
        .onConflictDoUpdate({ target: billingProfiles.userId, set: values })
        .returning())[0]
    },
  }
}
