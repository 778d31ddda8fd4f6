/**
 * Operations: GET /healthz and /readyz (health.ts), GET /metrics (Prometheus, through
 * prom-client; admins, or loopback callers that did not come through a proxy) and
 * GET /admin/live (admins; charts of the last 15 minutes, live.ts).
 *
 * Separate processes (own ports) are scraped one by one as usual. Under WORKERS=N (one
 * port), the worker that takes the scrape asks the cluster primary, whose prom-client
 * AggregatorRegistry collects every worker's registry and adds them up.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import cluster from 'node:cluster'
import { AggregatorRegistry } from 'prom-client'
import { forbidden } from '../errors.js'
import { isLocalScrape } from './access.js'
import health from './health.js'
import opsLive from './live.js'
import { createMetrics } from './metrics.js'
import { Sampler } from './sampler.js'

/** Worker -> primary: aggregate every worker's metrics; primary -> worker: the text or an error. */
export type MetricsMessage = { t: 'metrics:collect'; id: string } | { t: 'metrics:collected'; id: string; text?: string; error?: string }

async function operations(app: FastifyInstance) {
  const workerId = process.env.WORKER_ID ?? ''
  const metrics = createMetrics(app.hub, app.bus, app.notificationsLive, workerId)
  const sampler = new Sampler(app.hub, app.bus, workerId ? Number(workerId) : null)
  app.hub.onDelivered = (type, ms) => {
    if (type === 'ops_sample') return
    metrics.delivered(type, ms)
    sampler.delivered(ms)
  }
  app.addHook('onClose', async () => sampler.stop())

  await app.register(health)
  await app.register(opsLive, { sampler })

  // ---------------------------------------------- cluster: the primary aggregates
  const inCluster = cluster.isWorker && typeof process.send === 'function'
  const pending = new Map<string, (answer: { text?: string; error?: string }) => void>()
  let seq = 0
  const onMessage = (msg: MetricsMessage) => {
    if (msg?.t === 'metrics:collected') pending.get(msg.id)?.(msg)
  }
  if (inCluster) {
    AggregatorRegistry.setRegistries(metrics.registry)
    new AggregatorRegistry() // answers the primary's requests for this worker's metrics
    process.on('message', onMessage)
    app.addHook('onClose', async () => void process.removeListener('message', onMessage))
  }

  async function clusterText(): Promise<string> {
    const id = String(++seq)
    const answer = await new Promise<{ text?: string; error?: string }>((resolve) => {
      const timer = setTimeout(() => resolve({ error: 'the cluster primary did not answer' }), 6000)
      pending.set(id, (a) => {
        clearTimeout(timer)
        resolve(a)
      })
      process.send!({ t: 'metrics:collect', id } satisfies MetricsMessage)
    })
    pending.delete(id)
    if (answer.text === undefined) throw new Error(answer.error ?? 'no metrics')
    return answer.text
  }

  app.get('/metrics', { logLevel: 'warn' }, async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isLocalScrape(request) && !request.principal?.user.isAdmin) {
      throw forbidden('Metrics are for administrators and local scrapers')
    }
    reply.type(metrics.registry.contentType).header('cache-control', 'no-store')
    return inCluster ? clusterText() : metrics.registry.metrics()
  })
}

export default fp(operations, { name: 'operations', dependencies: ['realtime', 'notifications', 'accounts', 'http'] })
