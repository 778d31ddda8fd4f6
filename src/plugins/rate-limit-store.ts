/**
 * The store of @fastify/rate-limit when Redis is configured: the plugin's own Redis
 * store (one counter per route and IP under `<prefix>rate-limit:`, shared by every
 * process), and its in-memory store while Redis is away, so an outage makes the
 * limits per process instead of failing the request or dropping the limit.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { createRequire } from 'node:module'
import type { SharedRedis } from './shared-redis.js'

type Result = { current: number; ttl: number }
type Callback = (error: Error | null, result?: Result) => void
interface Store {
  incr(key: string, cb: Callback, timeWindow: number, max: number): void
  read?(key: string, cb: Callback, timeWindow: number, max: number): void
  child(routeOptions: object): Store
}
type StoreCtor = new (continueExceeding: boolean, exponentialBackoff: boolean, ...rest: unknown[]) => Store

// The package ships both stores but exports neither by name.
const require = createRequire(import.meta.url)
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreCtor
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreCtor

class FallbackStore implements Store {
  constructor(
    private readonly shared: SharedRedis,
    private readonly redis: Store,
    private readonly local: Store,
  ) {}

  incr(key: string, cb: Callback, timeWindow: number, max: number): void {
    this.use('incr', key, cb, timeWindow, max)
  }

  read(key: string, cb: Callback, timeWindow: number, max: number): void {
    this.use('read', key, cb, timeWindow, max)
  }

  private use(method: 'incr' | 'read', key: string, cb: Callback, timeWindow: number, max: number) {
    const local = () => this.local[method]!(key, cb, timeWindow, max)
    if (!this.shared.isUp()) return local()
    this.redis[method]!(key, (err, result) => (err ? local() : cb(null, result)), timeWindow, max)
  }

  child(routeOptions: object): Store {
    return new FallbackStore(this.shared, this.redis.child(routeOptions), this.local.child(routeOptions))
  }
}

/** The `store` option of @fastify/rate-limit for this Redis connection. */
export function sharedRateLimitStore(shared: SharedRedis): FastifyRateLimitStoreCtor {
  return class {
    constructor(options: { continueExceeding?: boolean; exponentialBackoff?: boolean; cache?: number }) {
      const redis = new RedisStore(!!options.continueExceeding, !!options.exponentialBackoff, shared.client, `${shared.prefix}rate-limit:`)
      const local = new LocalStore(!!options.continueExceeding, !!options.exponentialBackoff, options.cache)
      return new FallbackStore(shared, redis, local) as unknown as FastifyRateLimitStore
    }
  } as unknown as FastifyRateLimitStoreCtor
}
