/**
 * The per-user socket cap across processes (WS_MAX_CONNECTIONS_PER_USER with
 * REDIS_URL). Every process counts its own sockets per user in a hash of its own,
 * `<prefix>sockets:proc:<process id>` (user id -> sockets), and beats in the sorted
 * set `<prefix>sockets:procs` (process id -> deadline). A socket is admitted by one
 * Lua script that adds up the hashes of the processes whose deadline has not passed
 * and increments this process's count only below the cap: atomic, so the (cap+1)th
 * socket is refused whichever process it reaches. A process that crashed stops
 * beating: its counts stop counting at its deadline and its hash expires (the sorted
 * set too, once no process has beaten for ten TTLs).
 *
 * While Redis is away a socket is admitted on this process's own count (the hub's
 * cap); when Redis is back this process writes its true counts again.
 */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'

/** The clock of every process is Redis's own (TIME), so hosts need not agree on the time. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

// KEYS: procs zset, this process's hash. ARGV: hash prefix, process id, user id, cap, ttl ms.
const ACQUIRE = `${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[5]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], 10 * tonumber(ARGV[5]))
local total = 0
for _, p in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf')) do
  total = total + tonumber(redis.call('HGET', ARGV[1] .. p, ARGV[3]) or '0')
end
if total >= tonumber(ARGV[4]) then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[5]))
return 1`

// KEYS: this process's hash. ARGV: user id.
const RELEASE = `if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end return 1`

// KEYS: procs zset, this process's hash. ARGV: process id, ttl ms. Returns 1 when this process had been dropped.
const BEAT = `${NOW}
local known = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 10 * tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], 10 * tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[2], 2 * tonumber(ARGV[2]))
if known and tonumber(known) > now then return 0 end
return 1`

export interface SocketSlots {
  /** May this user open one more socket? When true, `release` must follow once the socket closes. */
  acquire(userId: number): boolean | Promise<boolean>
  release(userId: number): void
  stop(): Promise<void>
}

/** One process: the hub's own count is the cap. */
export const localSlots: SocketSlots = {
  acquire: () => true,
  release() {},
  async stop() {},
}

export interface SharedSlotsOptions {
  redis: Redis
  prefix: string
  cap: number
  heartbeatMs: number
  ttlMs: number
  isUp(): boolean
  onReady(handler: () => void): void
  log: { warn(obj: object, msg: string): void }
}

export function sharedSlots(opts: SharedSlotsOptions): SocketSlots {
  const processId = randomUUID()
  const procs = `${opts.prefix}sockets:procs`
  const hashPrefix = `${opts.prefix}sockets:proc:`
  const mine = hashPrefix + processId
  /** Sockets held here per user: the truth Redis is brought back to after an outage. */
  const counts = new Map<number, number>()
  /** Redis may disagree with `counts` (a command failed): rewrite the hash at the next chance. */
  let dirty = true
  let stopped = false

  const bump = (userId: number, by: number) => {
    const n = (counts.get(userId) ?? 0) + by
    if (n > 0) counts.set(userId, n)
    else counts.delete(userId)
  }

  async function rewrite() {
    const fields: string[] = []
    for (const [userId, n] of counts) fields.push(String(userId), String(n))
    const tx = opts.redis.multi().del(mine)
    if (fields.length) tx.hset(mine, ...fields)
    await tx.eval(BEAT, 2, procs, mine, processId, opts.ttlMs).exec()
    dirty = false
  }

  async function beat() {
    if (stopped || !opts.isUp()) return
    try {
      const dropped = await opts.redis.eval(BEAT, 2, procs, mine, processId, opts.ttlMs)
      if (dropped === 1 || dirty) await rewrite()
    } catch {
      dirty = true
    }
  }

  const timer = setInterval(() => void beat(), opts.heartbeatMs)
  timer.unref()
  opts.onReady(() => {
    dirty = true
    void beat()
  })

  return {
    async acquire(userId) {
      try {
        if (!opts.isUp()) throw new Error('Redis is away')
        // Put this process's counts back first (after an outage, or at start).
        if (dirty) await rewrite()
        const granted = (await opts.redis.eval(ACQUIRE, 2, procs, mine, hashPrefix, processId, userId, opts.cap, opts.ttlMs)) === 1
        if (granted) bump(userId, 1)
        return granted
      } catch {
        // Redis away: this process's own cap (the hub's) decides.
        bump(userId, 1)
        dirty = true
        return true
      }
    },
    release(userId) {
      bump(userId, -1)
      if (stopped || dirty || !opts.isUp()) return
      opts.redis.eval(RELEASE, 1, mine, userId).catch(() => {
        dirty = true
      })
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      if (!opts.isUp()) return
      await opts.redis.multi().zrem(procs, processId).del(mine).exec().catch((err: Error) => {
        opts.log.warn({ err: err.message }, 'could not remove the socket counts of this process from Redis')
      })
    },
  }
}
