/**
 * Operations: GET /healthz, GET /metrics (Prometheus text format; admins, or loopback callers
 * that did not come through a proxy) and GET /admin/live (admins), a page that
 * refreshes its figures every 2 s from GET /admin/live/figures.
 *
 * Separate processes (own ports) are scraped one by one as usual. Under
 * WORKERS=N (one port), the worker that takes the request collects every
 * worker's figures through the cluster primary, so one scrape shows all of
 * them, each sample labelled with its `worker`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import cluster from 'node:cluster'
import { forbidden } from '../errors.js'
import { renderPage, requireAdmin } from '../web/http.js'
import { LiveMetrics } from './figures.js'
import { mergeExpositions, type ProcessReport } from './reports.js'

export { mergeExpositions } from './reports.js'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/** A local scraper: loopback socket and no proxy in between (a proxy adds X-Forwarded-For). */
export function isLocalScrape(request: FastifyRequest): boolean {
  const remote = request.raw.socket.remoteAddress ?? ''
  return LOOPBACK.has(remote) && request.headers['x-forwarded-for'] === undefined && request.headers.forwarded === undefined
}

async function operations(app: FastifyInstance) {
  const metrics = new LiveMetrics(app.hub, app.bus, app.notificationsLive)
  app.get('/healthz', { logLevel: 'warn' }, async () => ({ ok: true, sockets: app.hub.stats.sockets }))

  const workerId = process.env.WORKER_ID ?? ''
  const info = () =>
    `# HELP live_process_info This process.\n# TYPE live_process_info gauge\nlive_process_info{pid="${process.pid}",worker="${workerId}"} 1\n`
  const ownReport = (): ProcessReport => ({ worker: workerId, text: info() + metrics.text(), figures: metrics.figures() })

  // ---------------------------------------------- cluster: answer the primary, ask it for the others
  const pending = new Map<string, (reports: ProcessReport[]) => void>()
  let seq = 0
  const onMessage = (msg: { t?: string; id?: string; reports?: ProcessReport[] }) => {
    if (msg?.t === 'live:report' && typeof msg.id === 'string') process.send?.({ t: 'live:reported', id: msg.id, report: ownReport() })
    else if (msg?.t === 'live:collected' && typeof msg.id === 'string') pending.get(msg.id)?.(msg.reports ?? [])
  }
  if (cluster.isWorker) process.on('message', onMessage)

  /** Every worker's report (just this one outside a cluster, or if the primary does not answer). */
  async function reports(): Promise<ProcessReport[]> {
    if (!cluster.isWorker || !process.send) return [ownReport()]
    const id = String(++seq)
    const collected = await new Promise<ProcessReport[] | null>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(id)
        resolve(null)
      }, 2000)
      pending.set(id, (r) => {
        clearTimeout(timer)
        pending.delete(id)
        resolve(r)
      })
      process.send!({ t: 'live:collect', id })
    })
    if (!collected || collected.length === 0) return [ownReport()]
    return collected.sort((a, b) => Number(a.worker) - Number(b.worker))
  }

  app.addHook('onClose', async () => {
    metrics.stop()
    process.removeListener('message', onMessage)
  })

  app.get('/metrics', { logLevel: 'warn' }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isLocalScrape(request) && !request.principal?.user.isAdmin) {
      throw forbidden('Metrics are for administrators and local scrapers')
    }
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').header('cache-control', 'no-store')
    const all = await reports()
    return all.length === 1 ? all[0]!.text : mergeExpositions(all)
  })

  const view = async () => {
    const all = await reports()
    return { f: all.find((r) => r.worker === workerId)?.figures ?? metrics.figures(), others: all.length > 1 ? all.map((r) => r.figures) : [] }
  }

  app.get('/admin/live', { preHandler: requireAdmin }, async (request, reply) => renderPage(request, reply, 'admin/live', await view()))

  app.get('/admin/live/figures', { preHandler: requireAdmin, logLevel: 'warn' }, async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return reply.view('admin/live', { ...(await view()), fragment: true })
  })
}

export default fp(operations, { name: 'operations', dependencies: ['realtime', 'notifications', 'http'] })
