/**
 * The Redis connection for state that several processes share (REDIS_URL): presence,
 * the per-user socket cap, the login/register/token rate limits. Separate from the
 * bus's pub/sub connections, which cannot run ordinary commands.
 *
 * Commands never wait for a connection (no offline queue): while Redis is away they
 * fail at once and each user of this connection falls back to what its own process
 * knows. The outage is logged once (warn) and its end once (info); `onReady`
 * handlers run at every (re)connection, so each user can put its keys back.
 * `app.sharedRedis` is null without REDIS_URL: everything lives in the process.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'

export interface SharedRedis {
  readonly client: Redis
  /** Every key starts with it (REDIS_PREFIX), so several sites or test runs share one Redis. */
  readonly prefix: string
  /** Connected now: commands are worth trying. */
  isUp(): boolean
  /** Runs at every (re)connection, the first one included. */
  onReady(handler: () => void): void
}

declare module 'fastify' {
  interface FastifyInstance {
    sharedRedis: SharedRedis | null
  }
}

interface Log {
  info(obj: object, msg: string): void
  warn(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/** How long a starting process waits for Redis before it takes requests (counting alone meanwhile). */
export const STARTUP_WAIT_MS = 3000

export function connectSharedRedis(url: string, prefix: string, log: Log, maxBackoffMs = 5000): SharedRedis & { settled(ms: number): Promise<void>; close(): Promise<void> } {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 10), maxBackoffMs),
    connectionName: `${prefix}state:${process.pid}`,
  })
  const readyHandlers: Array<() => void> = []
  let closed = false
  let downSince: number | null = null
  let everReady = false
  const down = (err?: Error) => {
    if (closed || downSince !== null) return
    downSince = Date.now()
    log.warn(
      { err: err?.message },
      // Worded apart from the bus's own "Redis connection lost" line.
      `Redis away (shared state${everReady ? '' : ', at start'}): presence, rate limits and the socket cap count this process only until it is back`,
    )
  }
  client.on('error', (err: Error) => {
    if (client.status !== 'ready') down(err)
  })
  client.on('close', () => everReady && down())
  client.on('ready', () => {
    if (downSince !== null) log.info({ downMs: Date.now() - downSince }, 'Redis back: presence, rate limits and the socket cap are shared again')
    downSince = null
    everReady = true
    for (const handler of readyHandlers) {
      try {
        handler()
      } catch (err) {
        log.error({ err }, 'Redis ready handler failed')
      }
    }
  })
  return {
    client,
    prefix,
    isUp: () => client.status === 'ready',
    onReady: (handler) => void readyHandlers.push(handler),
    /** Resolves once connected, once a first attempt failed (Redis away: no point waiting), or after `ms`. */
    settled(ms: number): Promise<void> {
      if (client.status === 'ready') return Promise.resolve()
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          client.off('ready', done)
          client.off('error', done)
          resolve()
        }
        const timer = setTimeout(done, ms)
        client.once('ready', done)
        client.once('error', done)
      })
    },
    async close() {
      closed = true
      if (client.status === 'ready') await Promise.race([client.quit().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())])
      client.disconnect()
    },
  }
}

export default fp(
  async (app: FastifyInstance) => {
    const { redisUrl, redisPrefix } = app.config
    const shared = redisUrl ? connectSharedRedis(redisUrl, redisPrefix, app.log) : null
    app.decorate('sharedRedis', shared)
    // onClose hooks run after every preClose: presence and the socket counts are gone by then.
    if (shared) app.addHook('onClose', () => shared.close())
    // Requests taken before the connection is up count in this process alone: a login
    // rate limit of 4 let a fifth attempt through a process that had just started.
    if (shared) await shared.settled(STARTUP_WAIT_MS)
  },
  { name: 'shared-redis' },
)
