/**
 * Operations: GET /metrics (Prometheus text format; admins, or loopback callers
 * that did not come through a proxy) and GET /admin/live (admins), a page that
 * refreshes its figures every 2 s from GET /admin/live/figures.
 * Each process reports its own figures (with several workers on one port, a
 * scrape reaches one of them: its pid and worker id are on the page and in
 * live_process_info).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { LiveMetrics } from '../realtime/metrics.js'
import { forbidden, renderPage, requireAdmin } from './http.js'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/** A local scraper: loopback socket and no proxy in between (a proxy adds X-Forwarded-For). */
export function isLocalScrape(request: FastifyRequest): boolean {
  const remote = request.raw.socket.remoteAddress ?? ''
  return LOOPBACK.has(remote) && request.headers['x-forwarded-for'] === undefined && request.headers.forwarded === undefined
}

export async function operationsRoutes(app: FastifyInstance) {
  const metrics = new LiveMetrics(app.hub, app.bus)
  app.addHook('onClose', async () => metrics.stop())

  app.get('/metrics', { logLevel: 'warn' }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isLocalScrape(request) && !request.principal?.user.isAdmin) {
      throw forbidden('Metrics are for administrators and local scrapers')
    }
    const info = `# HELP live_process_info This process.\n# TYPE live_process_info gauge\nlive_process_info{pid="${process.pid}",worker="${process.env.WORKER_ID ?? ''}"} 1\n`
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store')
    return info + metrics.text()
  })

  app.get('/admin/live', { preHandler: requireAdmin }, async (request, reply) =>
    renderPage(request, reply, 'admin/live', { f: metrics.figures() }),
  )

  app.get('/admin/live/figures', { preHandler: requireAdmin, logLevel: 'warn' }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return reply.view('admin/live', { f: metrics.figures(), fragment: true })
  })
}
