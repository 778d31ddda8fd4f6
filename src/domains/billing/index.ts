/**
 * The billing domain: GST invoices of a business (profile, customers, products,
 * invoices), its pages and JSON API, and the overdue check.
 */
import fp from 'fastify-plugin'
import { billingRoutes } from './routes/index.js'
import { startOverdueScheduler } from './scheduler.js'
import { createBillingService, type BillingService } from './service/index.js'

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

export const billingPlugin = fp<BillingPluginOptions>(
  async (app, opts) => {
    const billing = createBillingService({ db: app.db, bus: app.bus, notifications: app.notifications, now: opts.now })
    app.decorate('billing', billing)
    app.notifications.mutes.allow('invoice', async (userId, id) => billing.canSee(userId, id), async (userId, id) => {
      const { invoice } = await billing.getInvoice(userId, id)
      return invoice.number ? `Invoice ${invoice.number} to ${invoice.buyerName}` : `Draft invoice to ${invoice.buyerName}`
    })

    // The overdue check runs when the server starts listening and then every
    // interval (the CLI, which never listens, does not start it).
    const intervalMs = opts.overdueCheckIntervalMs ?? app.config.overdueCheckIntervalMs
    let scheduler: { stop(): void } | null = null
    app.addHook('onListen', async () => {
      scheduler ??= await startOverdueScheduler({ run: () => billing.notifyOverdue(), intervalMs, log: app.log })
    })
    app.addHook('preClose', async () => {
      scheduler?.stop()
    })

    await app.register(billingRoutes)
  },
  { name: 'billing', dependencies: ['http'] },
)
