/** One credit or debit note: its printable page and its PDF (another business's note: 404). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { currentUser } from '../../../web/http.js'
import { IdParams } from '../../../web/schemas.js'
import { page } from './render.js'

export const noteRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/billing/notes/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const view = await app.billing.getNote(currentUser(request).id, request.params.id)
    return page(request, reply, 'billing/note', { ...view })
  })

  app.get('/billing/notes/:id/pdf', { schema: { params: IdParams } }, async (request, reply) => {
    const view = await app.billing.getNote(currentUser(request).id, request.params.id)
    reply.type('application/pdf').header('content-disposition', `attachment; filename="${view.note.number.replace(/\//g, '-')}.pdf"`)
    const { notePdf } = await import('../pdf/note.js') // pdfkit loads with the first PDF
    return notePdf(view)
  })
}
