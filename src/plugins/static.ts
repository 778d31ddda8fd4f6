/** /public/ (css, js, icons) and /vendor/htmx/ (htmx's own dist files). */
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { PUBLIC_DIR } from '../web/views.js'

export default fp(
  async (app: FastifyInstance) => {
    await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/public/', maxAge: app.config.env === 'production' ? '1h' : 0 })
    const htmxDist = join(dirname(createRequire(import.meta.url).resolve('htmx.org/package.json')), 'dist')
    await app.register(fastifyStatic, { root: htmxDist, prefix: '/vendor/htmx/', decorateReply: false, allowedPath: (p) => p.endsWith('.js') })
  },
  { name: 'static-files' },
)
