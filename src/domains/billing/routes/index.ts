/** Every billing page and the JSON API, for logged-in users only. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requireUser } from '../../../web/http.js'
import { billingApiRoutes } from './api.js'
import { catalogRoutes } from './catalog.js'
import { gstr1Routes } from './gstr1.js'
import { invoiceFormRoutes } from './invoice-form.js'
import { invoiceRoutes } from './invoices.js'
import { ledgerRoutes } from './ledger.js'
import { noteRoutes } from './notes.js'
import { profileRoutes } from './profile.js'

export const billingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('preHandler', requireUser)
  for (const routes of [profileRoutes, ...catalogRoutes(app.billing), invoiceRoutes, noteRoutes, invoiceFormRoutes, ledgerRoutes, gstr1Routes, billingApiRoutes]) await app.register(routes)
}
