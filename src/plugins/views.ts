/** The Eta templates (app.views) behind pages, htmx answers and pushed fragments alike. */
import fastifyView from '@fastify/view'
import type { Eta } from 'eta'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createViews, VIEWS_DIR } from '../web/views.js'
import { asset } from './assets.js'

declare module 'fastify' {
  interface FastifyInstance {
    views: Eta
  }
}

export default fp(
  async (app: FastifyInstance) => {
    const views = createViews(app.config.env === 'production')
    app.decorate('views', views)
    await app.register(fastifyView, { engine: { eta: views }, root: VIEWS_DIR, defaultContext: { asset } })
  },
  { name: 'views' },
)
