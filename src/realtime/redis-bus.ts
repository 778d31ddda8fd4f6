/**
 * The bus over Redis pub/sub, so several processes serve one site as one.
 *
 * Channels (all under a prefix, REDIS_PREFIX, default `live:`):
 *   <prefix>user:<id>     events for one user; a process subscribes while it holds
 *                         a socket of that user (hub -> watch/unwatch)
 *   <prefix>topic:<name>  frames for a topic's subscribers, likewise
 *   <prefix>broadcast     events addressed to nobody in particular (a notification
 *                         to everyone): one publish, every process receives it
 *
 * An event naming many users is split into one publish per user channel, sent in
 * one pipeline; a process therefore receives only what concerns the sockets it
 * holds. A broadcast is ONE publish.
 *
 * Connections: one publisher, one subscriber. Both reconnect with capped
 * exponential backoff; the outage is logged once, its end once. The subscriber
 * resubscribes every watched channel itself (ioredis' autoResubscribe is off, so
 * watch/unwatch made while Redis was away are honoured) and then reports the
 * users it (re)subscribed through `onResync`, so the app can catch up on what was
 * committed meanwhile. Publishes made while Redis is away wait
 * in the publisher's offline queue (bounded: past MAX_PENDING they are dropped
 * and counted).
 */
import { Redis } from 'ioredis'
import type { BusEvent, BusEventInput, BusHandler } from './bus.js'
import { routeEvent, type RedisBus, type RedisBusLog, type RedisBusOptions, type RedisBusStats, type ResyncReason } from './redis-messages.js'

export { isRedisBus, type RedisBus, type RedisBusLog, type RedisBusOptions, type RedisBusStats, type RedisState, type ResyncReason } from './redis-messages.js'

const MAX_PENDING = 50_000

export function createRedisBus(url: string, log: RedisBusLog, options: RedisBusOptions = {}): RedisBus {
  const prefix = options.prefix ?? 'live:'
  const maxBackoff = options.maxBackoffMs ?? 5000
  const batchSize = options.subscribeBatch ?? 1000
  const broadcastChannel = `${prefix}broadcast`

  const handlers: BusHandler[] = []
  const resyncHandlers: Array<(userIds: number[], reason: ResyncReason) => void> = []
  const lagHandlers: Array<(ms: number, type: BusEvent['type']) => void> = []
  const downHandlers: Array<() => void> = []
  let subscriberDown = false
  const notifyDown = () => {
    if (subscriberDown || closed) return
    subscriberDown = true
    for (const h of downHandlers) h()
  }
  const stats: RedisBusStats = {
    events: 0,
    publishes: { user: 0, topic: 0, broadcast: 0 },
    received: 0,
    droppedPublishes: 0,
    badMessages: 0,
    reconnects: 0,
    channels: 0,
  }

  /** Keys ('user:7', 'topic:post:4') the hub wants, and those Redis has confirmed. */
  const desired = new Set<string>()
  const subscribed = new Set<string>()
  const pending = new Set<string>()
  let flushScheduled = false
  let closed = false
  let pendingPublishes = 0
  let broadcastSubscribed = false

  const retryStrategy = (times: number) => Math.min(100 * 2 ** Math.min(times, 10), maxBackoff)
  const common = {
    retryStrategy,
    maxRetriesPerRequest: null,
    autoResubscribe: false,
    enableReadyCheck: true,
    connectionName: `${prefix}${process.pid}`,
  } as const
  const pub = new Redis(url, { ...common })
  const sub = new Redis(url, { ...common })

  // ------------------------------------------------ connection state, logged once per outage
  let downSince: number | null = null
  let everReady = false
  const watchConnection = (conn: Redis, name: string) => {
    conn.on('error', (err: Error) => {
      if (closed) return
      if (conn.status === 'ready') return log.warn({ err: err.message, connection: name }, 'Redis error')
      if (name === 'subscriber') notifyDown()
      if (downSince === null) {
        downSince = Date.now()
        log.warn({ err: err.message, connection: name }, everReady ? 'Redis connection lost; serving local sockets, reconnecting with backoff' : 'Redis not reachable; serving local sockets, retrying with backoff')
      }
    })
    conn.on('close', () => {
      if (name === 'subscriber') {
        if (broadcastSubscribed) notifyDown()
        broadcastSubscribed = false
        subscribed.clear()
        stats.channels = 0
      }
      if (downSince === null && !closed && everReady) {
        downSince = Date.now()
        log.warn({ connection: name }, 'Redis connection lost; serving local sockets, reconnecting with backoff')
      }
    })
    conn.on('ready', () => {
      if (pub.status === 'ready' && sub.status === 'ready' && downSince !== null) {
        log.info({ downMs: Date.now() - downSince }, everReady ? 'Redis connection restored' : 'Redis connected')
        if (everReady) stats.reconnects++
        downSince = null
      }
      if (pub.status === 'ready' && sub.status === 'ready') everReady = true
    })
  }
  watchConnection(pub, 'publisher')
  watchConnection(sub, 'subscriber')

  let firstReady = true
  sub.on('ready', () => {
    // After an outage (or a start without Redis) everything held here is caught up.
    const reason: ResyncReason = firstReady && !subscriberDown ? 'subscribed' : 'reconnected'
    firstReady = false
    // Everything wanted is (re)subscribed; then the users concerned are resynced.
    const keys = [...desired]
    void subscribeKeys([broadcastChannel, ...keys.map((k) => prefix + k)]).then((ok) => {
      if (!ok) return
      broadcastSubscribed = true
      subscriberDown = false
      const stale: string[] = []
      for (const k of keys) (desired.has(k) ? subscribed.add(k) : stale.push(k))
      // Unwatched while the SUBSCRIBE was on its way.
      if (stale.length) sub.unsubscribe(...stale.map((k) => prefix + k)).catch(() => {})
      stats.channels = subscribed.size
      resync(keys, reason)
    })
  })

  sub.on('message', (channel: string, message: string) => {
    stats.received++
    let event: BusEvent
    try {
      event = JSON.parse(message) as BusEvent
    } catch {
      stats.badMessages++
      return
    }
    const lag = Date.now() - event.at
    for (const h of lagHandlers) h(lag, event.type)
    for (const h of handlers) h(event)
    void channel
  })

  async function subscribeKeys(channels: string[]): Promise<boolean> {
    try {
      const waits: Array<Promise<unknown>> = []
      for (let i = 0; i < channels.length; i += batchSize) waits.push(sub.subscribe(...channels.slice(i, i + batchSize)))
      await Promise.all(waits)
      return true
    } catch (err) {
      if (!closed) log.warn({ err: (err as Error).message }, 'Redis subscribe failed; will resubscribe on reconnect')
      return false
    }
  }

  function resync(keys: string[], reason: ResyncReason) {
    const userIds: number[] = []
    for (const k of keys) if (k.startsWith('user:') && desired.has(k)) userIds.push(Number(k.slice(5)))
    if (userIds.length === 0 && reason === 'subscribed') return
    for (const h of resyncHandlers) {
      try {
        h(userIds, reason)
      } catch (err) {
        log.error({ err }, 'resync handler failed')
      }
    }
  }

  /** Applies watch/unwatch calls of this tick in a few batched commands. */
  function scheduleFlush() {
    if (flushScheduled) return
    flushScheduled = true
    setImmediate(flush)
  }

  function flush() {
    flushScheduled = false
    if (sub.status !== 'ready' || closed) return // the 'ready' handler subscribes everything desired
    const toSub: string[] = []
    const toUnsub: string[] = []
    for (const k of pending) {
      if (desired.has(k) && !subscribed.has(k)) toSub.push(k)
      else if (!desired.has(k) && subscribed.has(k)) toUnsub.push(k)
    }
    pending.clear()
    for (const k of toUnsub) subscribed.delete(k)
    if (toUnsub.length) {
      for (let i = 0; i < toUnsub.length; i += batchSize) {
        sub.unsubscribe(...toUnsub.slice(i, i + batchSize).map((k) => prefix + k)).catch(() => {})
      }
    }
    if (toSub.length) {
      for (const k of toSub) subscribed.add(k)
      void subscribeKeys(toSub.map((k) => prefix + k)).then((ok) => {
        if (!ok) for (const k of toSub) subscribed.delete(k)
        else resync(toSub, 'subscribed')
        stats.channels = subscribed.size
      })
    }
    stats.channels = subscribed.size
  }

  // ------------------------------------------------ publishing

  function settle(count: number) {
    return {
      ok: () => {
        pendingPublishes -= count
      },
      fail: (err: Error) => {
        pendingPublishes -= count
        stats.droppedPublishes += count
        if (!closed) log.warn({ err: err.message, count }, 'Redis publish failed')
      },
    }
  }

  const bus: RedisBus = {
    kind: 'redis',
    prefix,
    stats,
    publish(input: BusEventInput) {
      const event = { ...input, at: Date.now() } as BusEvent
      stats.events++
      const messages = routeEvent(event, prefix)
      if (messages.length === 0 || closed) return
      if (pendingPublishes + messages.length > MAX_PENDING) {
        stats.droppedPublishes += messages.length
        return
      }
      pendingPublishes += messages.length
      const done = settle(messages.length)
      for (const [, , kind] of messages) stats.publishes[kind]++
      if (messages.length === 1) {
        const [channel, message] = messages[0]!
        pub.publish(channel, message).then(done.ok, done.fail)
        return
      }
      const pipeline = pub.pipeline()
      for (const [channel, message] of messages) pipeline.publish(channel, message)
      pipeline.exec().then(done.ok, done.fail)
    },
    onEvent(handler) {
      handlers.push(handler)
    },
    watch(key) {
      if (desired.has(key)) return
      desired.add(key)
      pending.add(key)
      scheduleFlush()
    },
    unwatch(key) {
      if (!desired.delete(key)) return
      pending.add(key)
      scheduleFlush()
    },
    onResync(handler) {
      resyncHandlers.push(handler)
    },
    onDown(handler) {
      downHandlers.push(handler)
      // Already down (Redis unreachable at startup, before the handler existed).
      if (subscriberDown) setImmediate(() => subscriberDown && !closed && handler())
    },
    onLag(handler) {
      lagHandlers.push(handler)
    },
    state() {
      if (closed) return 'closed'
      if (pub.status === 'ready' && sub.status === 'ready' && broadcastSubscribed) return 'ready'
      return everReady ? 'down' : 'connecting'
    },
    ready() {
      return new Promise((resolve) => {
        const check = () => {
          if (closed || (pub.status === 'ready' && sub.status === 'ready' && broadcastSubscribed && !flushScheduled)) resolve()
          else setTimeout(check, 20)
        }
        check()
      })
    },
    async close() {
      closed = true
      handlers.length = 0
      // QUIT when connected (queued publishes go out first); otherwise just stop retrying.
      const quit = (conn: Redis) =>
        conn.status === 'ready'
          ? Promise.race([conn.quit().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())])
          : Promise.resolve()
      await Promise.all([quit(pub), quit(sub)])
      pub.disconnect()
      sub.disconnect()
    },
  }
  return bus
}
