/**
 * `invoice_overdue`, once per invoice whose due date has passed unpaid. Each
 * invoice is claimed with a conditional UPDATE (only while overdue_notified_at
 * IS NULL) in the same IMMEDIATE transaction as its notification, so restarts
 * and several processes never notify twice.
 */
import { and, asc, eq, gt, isNull, lt } from 'drizzle-orm'
import { transact } from '../../../db/transact.js'
import { balanceDue, billingInvoices } from '../schema.js'
import type { BillingContext } from './context.js'
import type { InvoiceNotices } from './notices.js'

export function overdueService({ db, bus, now, today }: BillingContext, notices: InvoiceNotices) {
  return {
    /** Returns how many invoices were notified. */
    async notifyOverdue(batch = 200): Promise<number> {
      let total = 0
      for (;;) {
        const date = today()
        const claimedAt = now()
        const round = await transact(db, bus, async (tx, outbox) => {
          const due = await tx
            .select()
            .from(billingInvoices)
            .where(and(eq(billingInvoices.status, 'issued'), isNull(billingInvoices.overdueNotifiedAt), lt(billingInvoices.dueDate, date), gt(balanceDue, 0)))
            .orderBy(asc(billingInvoices.dueDate))
            .limit(batch)
          let claimed = 0
          for (const invoice of due) {
            const won = (await tx
              .update(billingInvoices)
              .set({ overdueNotifiedAt: claimedAt })
              .where(and(eq(billingInvoices.id, invoice.id), eq(billingInvoices.status, 'issued'), isNull(billingInvoices.overdueNotifiedAt))).returning({ id: billingInvoices.id })).length
            if (!won) continue
            claimed++
            await notices.overdue(tx, outbox, invoice)
          }
          return { claimed, more: due.length === batch }
        })
        total += round.claimed
        if (!round.more) return total
      }
    },
  }
}
