import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

export interface Config {
  env: 'development' | 'production' | 'test'
  host: string
  port: number
  /** SQLite file path, or ':memory:' (tests). Not used when `databaseUrl` is set. */
  databasePath: string
  /** PostgreSQL connection string: several machines share one database. Null: SQLite at `databasePath`. */
  databaseUrl: string | null
  /** With `databaseUrl`: connections this process keeps open to PostgreSQL. */
  pgPoolSize: number
  jwtSecret: string
  /** Lifetime of a login (cookie or API token), in seconds. */
  tokenTtlSeconds: number
  /** Origins besides the server's own that may open cookie-authenticated sockets. */
  allowedOrigins: string[]
  /** Set to use Redis pub/sub as the bus, so several processes serve one site. */
  redisUrl: string | null
  /** Prefix of every Redis channel, so several sites (or test runs) can share one Redis. */
  redisPrefix: string
  logLevel: LogLevel
  /** Mark cookies Secure (on by default in production; behind TLS). */
  cookieSecure: boolean
  /** Trust X-Forwarded-* headers (behind a reverse proxy). */
  trustProxy: boolean
  ws: {
    /** Largest client frame in bytes; bigger frames close the socket with 1009. */
    maxPayload: number
    /** Open sockets per user; the next one is closed with 4429. */
    maxConnectionsPerUser: number
    /** Client frames per second per socket before closing with 4429. */
    maxFramesPerSecond: number
    /** Interval of server pings; a socket that missed one pong is terminated. */
    heartbeatMs: number
    /** Unsent bytes a socket may hold before it is closed with 1013. */
    maxBufferedBytes: number
  }
  /** Login and token endpoints: attempts per minute per IP. */
  authRateLimitPerMinute: number
  /** Billing: how often to look for invoices past due; 0 checks only at start. */
  overdueCheckIntervalMs: number
  /** Notifications: how often snoozed notifications that are due are woken. */
  snoozeCheckIntervalMs: number
  /** Social: `is_typing: false` this long after the last typing frame. */
  typingTimeoutMs: number
  /** Social: a user stays online this long after their last socket closed (no flicker on reload). */
  presenceGraceMs: number
  /** Operations: how often each process samples its figures for /admin/live (15 minutes are kept). */
  opsSampleMs: number
  /** Shutdown: /readyz answers 503 this long before the server stops taking requests. */
  shutdownDrainMs: number
  /** With REDIS_URL: how often a process refreshes its keys in Redis (presence, socket counts). */
  processHeartbeatMs: number
  /** With REDIS_URL: a process silent this long is taken for dead; its users and sockets stop counting. */
  processTtlMs: number
}

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || !Number.isInteger(n) || n < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${value}"`)
  }
  return n
}

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase())
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export interface LoadedConfig {
  config: Config
  /** Things worth telling the operator once the logger exists. */
  warnings: string[]
}

/**
 * Reads configuration from the environment with defaults that make
 * `npm start` work on a fresh machine. Throws on values that cannot work.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): LoadedConfig {
  const warnings: string[] = []
  const nodeEnv = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development'
  const databasePath = overrides.databasePath ?? env.DATABASE_PATH ?? resolve('data', 'app.db')

  let jwtSecret = overrides.jwtSecret ?? env.JWT_SECRET ?? ''
  if (!jwtSecret) {
    if (nodeEnv === 'production') {
      throw new Error('JWT_SECRET must be set when NODE_ENV=production (at least 32 random characters)')
    }
    jwtSecret = developmentSecret(databasePath, warnings)
  } else if (jwtSecret.length < 32 && nodeEnv === 'production') {
    throw new Error('JWT_SECRET must be at least 32 characters long')
  }

  const logLevel = (env.LOG_LEVEL ?? (nodeEnv === 'test' ? 'silent' : 'info')) as LogLevel
  if (!LOG_LEVELS.includes(logLevel)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`)

  const wsDefaults: Config['ws'] = {
    maxPayload: int(env.WS_MAX_PAYLOAD, 16 * 1024, 'WS_MAX_PAYLOAD'),
    maxConnectionsPerUser: int(env.WS_MAX_CONNECTIONS_PER_USER, 20, 'WS_MAX_CONNECTIONS_PER_USER'),
    maxFramesPerSecond: int(env.WS_MAX_FRAMES_PER_SECOND, 30, 'WS_MAX_FRAMES_PER_SECOND'),
    heartbeatMs: int(env.WS_HEARTBEAT_MS, 30_000, 'WS_HEARTBEAT_MS'),
    maxBufferedBytes: int(env.WS_MAX_BUFFERED_BYTES, 1024 * 1024, 'WS_MAX_BUFFERED_BYTES'),
  }
  // PRESENCE_HEARTBEAT_MS is the older name of PROCESS_HEARTBEAT_MS.
  const heartbeatMs = int(env.PROCESS_HEARTBEAT_MS || env.PRESENCE_HEARTBEAT_MS, 10_000, 'PROCESS_HEARTBEAT_MS')
  const config: Config = {
    env: nodeEnv,
    host: env.HOST ?? '127.0.0.1',
    port: int(env.PORT, 3000, 'PORT'),
    databasePath,
    databaseUrl: postgresUrl(env.DATABASE_URL),
    pgPoolSize: Math.max(1, int(env.PG_POOL_SIZE, 10, 'PG_POOL_SIZE')),
    jwtSecret,
    tokenTtlSeconds: int(env.TOKEN_TTL_SECONDS, 12 * 3600, 'TOKEN_TTL_SECONDS'),
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    redisUrl: env.REDIS_URL || null,
    redisPrefix: env.REDIS_PREFIX || 'live:',
    logLevel,
    cookieSecure: bool(env.COOKIE_SECURE, nodeEnv === 'production'),
    trustProxy: bool(env.TRUST_PROXY, false),
    authRateLimitPerMinute: int(env.AUTH_RATE_LIMIT_PER_MINUTE, 10, 'AUTH_RATE_LIMIT_PER_MINUTE'),
    overdueCheckIntervalMs: int(env.OVERDUE_CHECK_INTERVAL_MS, 60_000, 'OVERDUE_CHECK_INTERVAL_MS'),
    snoozeCheckIntervalMs: int(env.SNOOZE_CHECK_INTERVAL_MS, 15_000, 'SNOOZE_CHECK_INTERVAL_MS'),
    typingTimeoutMs: int(env.TYPING_TIMEOUT_MS, 3000, 'TYPING_TIMEOUT_MS'),
    presenceGraceMs: int(env.PRESENCE_GRACE_MS, 5000, 'PRESENCE_GRACE_MS'),
    opsSampleMs: Math.max(100, int(env.OPS_SAMPLE_MS, 2000, 'OPS_SAMPLE_MS')),
    shutdownDrainMs: int(env.SHUTDOWN_DRAIN_MS, 0, 'SHUTDOWN_DRAIN_MS'),
    processHeartbeatMs: heartbeatMs,
    processTtlMs: int(env.PROCESS_TTL_MS, 3 * heartbeatMs, 'PROCESS_TTL_MS'),
    ...overrides,
    // A partial `ws` override keeps the other limits (spreading it above replaced them all,
    // so e.g. a test overriding heartbeatMs ran without a frame size limit).
    ws: { ...wsDefaults, ...overrides.ws },
  }
  if (config.processTtlMs <= config.processHeartbeatMs) {
    throw new Error(`PROCESS_TTL_MS (${config.processTtlMs}) must be longer than PROCESS_HEARTBEAT_MS (${config.processHeartbeatMs})`)
  }
  return { config, warnings }
}

/** A development secret generated once and kept next to the database file. */
/** The database in words for logs and the CLI: the SQLite file, or the PostgreSQL server without its password. */
export function describeDatabase(config: Pick<Config, 'databasePath' | 'databaseUrl'>): string {
  if (!config.databaseUrl) return `SQLite ${config.databasePath}`
  const url = new URL(config.databaseUrl)
  if (url.password) url.password = '***'
  return `PostgreSQL ${url.toString()}`
}

/** DATABASE_URL must name PostgreSQL; anything else is refused at start rather than ignored. */
function postgresUrl(value: string | undefined): string | null {
  if (value === undefined || value === '') return null
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new Error(`DATABASE_URL must be a PostgreSQL connection string (postgres://user@host:5432/db); got "${value.replace(/:[^:@/]*@/, ':***@')}"`)
  }
  return value
}

function developmentSecret(databasePath: string, warnings: string[]): string {
  if (databasePath === ':memory:') return randomBytes(32).toString('base64url')
  const file = join(dirname(resolve(databasePath)), '.jwt-secret')
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim()
    if (kept.length >= 32) {
      warnings.push(`JWT_SECRET is not set; using the development secret kept in ${file}`)
      return kept
    }
  }
  const secret = randomBytes(32).toString('base64url')
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  warnings.push(`JWT_SECRET is not set; generated a development secret and kept it in ${file}. Set JWT_SECRET in production.`)
  return secret
}
