/**
 * /admin/live: every process samples its figures every OPS_SAMPLE_MS and publishes the
 * sample on the bus (channel `topic:ops:samples`, watched by every process), so each process keeps
 * the last 15 minutes of all of them and pushes each sample to the administrators'
 * sockets that follow `ops:live` (the page). A process records and pushes its own sample
 * directly, so its charts go on while Redis is away.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { OpsSample } from '../protocol.js'
import { isRedisBus } from '../realtime/redis-bus.js'
import { renderPage, requireAdmin } from '../web/http.js'
import { History, HISTORY_MS } from './history.js'
import type { Sampler } from './sampler.js'

/** What the page's sockets follow. */
export const OPS_TOPIC = 'ops:live'
/** The bus channel of the samples, watched by every process for as long as it runs. */
const SAMPLES_TOPIC = 'ops:samples'

declare module '../realtime/bus.js' {
  interface BusEvents {
    /** One process's figures for the /admin/live charts. */
    ops_sample: { topic: string; sample: OpsSample }
  }
}

export interface OpsLiveOptions {
  sampler: Sampler
}

async function opsLive(app: FastifyInstance, { sampler }: OpsLiveOptions) {
  const history = new History(app.config.opsSampleMs)
  const take = (sample: OpsSample) => {
    history.add(sample)
    app.hub.sendToTopic(OPS_TOPIC, { type: 'ops_sample', sample })
  }

  app.realtime.topics.allow('ops:', async (userId, id) => {
    if (id !== 'live') return false
    try {
      return (await app.accounts.findById(userId)).isAdmin
    } catch {
      return false
    }
  })
  app.bus.watch(`topic:${SAMPLES_TOPIC}`)
  app.hub.onEvent('ops_sample', (event) => {
    if (event.sample.source !== sampler.source) take(event.sample)
  })

  const timer = setInterval(() => {
    const sample = sampler.sample()
    take(sample)
    // Not into the offline queue while Redis is away: stale samples would only take room from events.
    if (!isRedisBus(app.bus) || app.bus.state() === 'ready') app.bus.publish({ type: 'ops_sample', topic: SAMPLES_TOPIC, sample })
  }, app.config.opsSampleMs)
  timer.unref()
  app.addHook('preClose', async () => clearInterval(timer))

  app.get('/admin/live', { preHandler: requireAdmin }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return renderPage(request, reply, 'admin/live', {
      history: history.samples(),
      sampleMs: app.config.opsSampleMs,
      windowMs: HISTORY_MS,
      source: sampler.source,
    })
  })
}

export default fp(opsLive, { name: 'ops-live', dependencies: ['realtime', 'accounts', 'http'] })
