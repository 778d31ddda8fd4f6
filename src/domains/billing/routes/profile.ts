/** The business profile page. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { currentUser } from '../../../web/http.js'
import { checkProfile } from '../forms/catalog.js'
import { page, writeOrForm } from './render.js'
import { Text } from './schemas.js'

const ProfileBody = Type.Object({ legal_name: Text(300), gstin: Text(40), state_code: Text(4), address: Text(2000), signatory: Text(300) })

export const profileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/billing/profile', async (request, reply) => {
    const profile = await app.billing.getProfile(currentUser(request).id)
    const values = profile
      ? { legal_name: profile.legalName, gstin: profile.gstin, state_code: profile.stateCode, address: profile.address, signatory: profile.signatory }
      : {}
    return page(request, reply, 'billing/profile', { values, errors: {}, saved: false })
  })

  app.post('/billing/profile', { schema: { body: ProfileBody } }, async (request, reply) => {
    const form = async (errors: object, saved: boolean, status = 200) => page(request, reply, 'billing/profile', { values: request.body, errors, saved }, status)
    return writeOrForm(
      async () => app.billing.saveProfile(currentUser(request).id, checkProfile(request.body)),
      async () => form({}, true),
      async (errors) => form(errors, false, 422),
    )
  })
}
