/**
 * GET /healthz (liveness: the process answers; "ok", nothing else) and GET /readyz
 * (readiness, for load balancers: the database answers and, with REDIS_URL, Redis is
 * connected; 503 once the process is draining at shutdown). Why it is not ready is
 * told only to local callers and administrators; the log says it once per change.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isRedisBus } from '../realtime/redis-bus.js'
import { isLocalScrape } from './access.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** /readyz answers 503 from now on (shutdown: the load balancer stops sending traffic). */
    startDraining(): void
  }
}

const PING_TIMEOUT_MS = 2000

/** Why this process should not take traffic, or null when it should. */
async function notReady(app: FastifyInstance, draining: boolean): Promise<string | null> {
  if (draining) return 'draining'
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      app.dbPing(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), PING_TIMEOUT_MS))),
    ])
  } catch (err) {
    return `database unreachable (${(err as Error).message})`
  } finally {
    clearTimeout(timer)
  }
  if (app.config.redisUrl && isRedisBus(app.bus) && app.bus.state() !== 'ready') return `redis ${app.bus.state()}`
  return null
}

async function health(app: FastifyInstance) {
  let draining = false
  let lastProblem: string | null = null
  app.decorate('startDraining', () => {
    draining = true
  })
  // app.close() without a drain (tests, the CLI) drains too.
  app.addHook('preClose', async () => {
    draining = true
  })

  const plain = (reply: FastifyReply) => reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store')

  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) => plain(reply).send('ok\n'))

  app.get('/readyz', { logLevel: 'warn' }, async (request: FastifyRequest, reply) => {
    const problem = await notReady(app, draining)
    if (problem !== lastProblem) {
      if (problem) app.log.warn({ problem }, 'not ready')
      else app.log.info('ready')
      lastProblem = problem
    }
    plain(reply).code(problem ? 503 : 200)
    if (!problem) return reply.send('ready\n')
    const told = isLocalScrape(request) || request.principal?.user.isAdmin
    return reply.send(told ? `not ready: ${problem}\n` : 'not ready\n')
  })
}

export default fp(health, { name: 'health', dependencies: ['db', 'realtime', 'http'] })
