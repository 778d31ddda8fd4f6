/**
 * Presence shared by several processes in Redis (REDIS_URL), under REDIS_PREFIX:
 *
 *   presence:procs        sorted set: process id -> deadline (ms, Redis's clock);
 *                         a process pushes its deadline PROCESS_TTL_MS ahead at
 *                         every heartbeat (PROCESS_HEARTBEAT_MS)
 *   presence:proc:<id>    set: the users holding a socket on that process (expires
 *                         some TTLs after the last heartbeat, as a backstop)
 *   presence:online       set: the users online on some live process
 *
 * Every change is one Lua script, so processes take turns: only the process whose
 * `hold` adds a user to `presence:online` announces them online, only the one whose
 * `release` (or sweep of a dead process) removes them announces them offline. A
 * process that stops beating (SIGKILL, a lost machine) is swept by the first other
 * process to beat after its deadline; its users go offline unless another holds them.
 * Keys are named inside the scripts: one Redis, not a cluster.
 */
import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { PresenceStore } from './presence-store.js'

// KEYS: procs, online. ARGV: proc set prefix, this process, ttl ms, then the script's own.
const PRELUDE = `
local procs, online, pre, me, ttl = KEYS[1], KEYS[2], ARGV[1], ARGV[2], tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mine = pre .. me
local live = nil
local function heldBy(uid, except)
  live = live or redis.call('ZRANGEBYSCORE', procs, '(' .. now, '+inf')
  for _, p in ipairs(live) do
    if p ~= except and redis.call('SISMEMBER', pre .. p, uid) == 1 then return true end
  end
  return false
end
local function touch()
  local known = redis.call('ZSCORE', procs, me)
  redis.call('ZADD', procs, now + ttl, me)
  redis.call('PEXPIRE', mine, 4 * ttl)
  -- Gone ten TTLs after the last process of the site stopped beating (nobody is online then).
  redis.call('PEXPIRE', procs, 10 * ttl)
  if redis.call('EXISTS', online) == 1 then redis.call('PEXPIRE', online, 10 * ttl) end
  return (not known) or tonumber(known) <= now
end
`

const HOLD = `${PRELUDE}
touch()
redis.call('SADD', mine, ARGV[4])
redis.call('PEXPIRE', mine, 4 * ttl)
local added = redis.call('SADD', online, ARGV[4])
redis.call('PEXPIRE', online, 10 * ttl)
return added`

const RELEASE = `${PRELUDE}
touch()
if redis.call('SREM', mine, ARGV[4]) == 0 then return 0 end
if heldBy(ARGV[4], me) then return 0 end
return redis.call('SREM', online, ARGV[4])`

const BEAT = `${PRELUDE}
local dropped = touch()
local offline = {}
local dead = redis.call('ZRANGEBYSCORE', procs, '-inf', now)
if #dead > 0 then
  local candidates = {}
  local lost = false
  for _, p in ipairs(dead) do
    if redis.call('EXISTS', pre .. p) == 0 then lost = true end
    for _, uid in ipairs(redis.call('SMEMBERS', pre .. p)) do table.insert(candidates, uid) end
    redis.call('DEL', pre .. p)
    redis.call('ZREM', procs, p)
  end
  -- A dead process whose set expired already: check everyone online.
  if lost then candidates = redis.call('SMEMBERS', online) end
  for _, uid in ipairs(candidates) do
    if not heldBy(uid, nil) and redis.call('SREM', online, uid) == 1 then table.insert(offline, uid) end
  end
end
return {dropped and 1 or 0, offline}`

const REPLACE = `${PRELUDE}
touch()
local old = redis.call('SMEMBERS', mine)
redis.call('DEL', mine)
local keep = {}
local came = {}
for i = 4, #ARGV do
  keep[ARGV[i]] = true
  redis.call('SADD', mine, ARGV[i])
  if redis.call('SADD', online, ARGV[i]) == 1 then table.insert(came, ARGV[i]) end
end
redis.call('PEXPIRE', mine, 4 * ttl)
if redis.call('EXISTS', online) == 1 then redis.call('PEXPIRE', online, 10 * ttl) end
local gone = {}
for _, uid in ipairs(old) do
  if not keep[uid] and not heldBy(uid, me) and redis.call('SREM', online, uid) == 1 then table.insert(gone, uid) end
end
return {came, gone}`

const STOP = `${PRELUDE}
redis.call('ZREM', procs, me)
local old = redis.call('SMEMBERS', mine)
redis.call('DEL', mine)
local gone = {}
for _, uid in ipairs(old) do
  if not heldBy(uid, nil) and redis.call('SREM', online, uid) == 1 then table.insert(gone, uid) end
end
return gone`

const ids = (list: unknown) => (list as string[]).map(Number)

export class RedisPresenceStore implements PresenceStore {
  readonly processId = randomUUID()
  readonly shared = true
  private readonly keys: [string, string]
  private readonly args: [string, string, number]

  constructor(
    private readonly redis: Redis,
    prefix: string,
    ttlMs: number,
  ) {
    this.keys = [`${prefix}presence:procs`, `${prefix}presence:online`]
    this.args = [`${prefix}presence:proc:`, this.processId, ttlMs]
  }

  private run(script: string, ...extra: Array<string | number>): Promise<unknown> {
    return this.redis.eval(script, 2, ...this.keys, ...this.args, ...extra)
  }

  async hold(userId: number) {
    return (await this.run(HOLD, userId)) === 1
  }

  async release(userId: number) {
    return (await this.run(RELEASE, userId)) === 1
  }

  async beat() {
    const [dropped, offline] = (await this.run(BEAT)) as [number, string[]]
    return { dropped: dropped === 1, offline: ids(offline) }
  }

  async replace(userIds: number[]) {
    const [online, offline] = (await this.run(REPLACE, ...userIds)) as [string[], string[]]
    return { online: ids(online), offline: ids(offline) }
  }

  async onlineUsers() {
    return ids(await this.redis.smembers(this.keys[1]))
  }

  async stop() {
    return ids(await this.run(STOP))
  }
}
