import type { FastifyInstance } from 'fastify'
import { renderPage } from './http.js'

export async function homeRoutes(app: FastifyInstance) {
  app.get('/', async (request, reply) => renderPage(request, reply, 'home'))
}
