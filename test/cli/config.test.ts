/** Configuration from the environment: safe defaults, the development secret, production refusals. */
import t from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config.js'

t.test('without JWT_SECRET in development a secret is generated once and kept next to the database', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pulse-config-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DATABASE_PATH: join(dir, 'db', 'app.db') }
  const first = loadConfig(env)
  const file = join(dir, 'db', '.jwt-secret')
  t.ok(existsSync(file), 'kept in .jwt-secret next to the database')
  t.equal(statSync(file).mode & 0o777, 0o600, 'readable by the owner only')
  t.equal(readFileSync(file, 'utf8').trim(), first.config.jwtSecret)
  t.ok(first.config.jwtSecret.length >= 32)
  t.match(first.warnings.join('\n'), /generated a development secret/, 'with a warning')
  const second = loadConfig(env)
  t.equal(second.config.jwtSecret, first.config.jwtSecret, 'reused on the next start')
  t.match(second.warnings.join('\n'), /using the development secret/)
})

t.test('production refuses to start without a real secret', async (t) => {
  t.throws(() => loadConfig({ NODE_ENV: 'production', DATABASE_PATH: ':memory:' }), /JWT_SECRET must be set/)
  t.throws(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' }), /at least 32 characters/)
  const { config, warnings } = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })
  t.equal(config.cookieSecure, true, 'Secure cookies by default in production')
  t.same(warnings, [])
})

t.test('defaults and parsing', async (t) => {
  const { config } = loadConfig({ JWT_SECRET: 'x'.repeat(32) })
  t.match(config, {
    env: 'development',
    host: '127.0.0.1',
    port: 3000,
    tokenTtlSeconds: 43200,
    allowedOrigins: [],
    redisUrl: null,
    logLevel: 'info',
    cookieSecure: false,
    ws: { maxPayload: 16384, maxConnectionsPerUser: 20, heartbeatMs: 30000 },
    overdueCheckIntervalMs: 60000,
    typingTimeoutMs: 3000,
    presenceGraceMs: 5000,
    processHeartbeatMs: 10000,
    processTtlMs: 30000,
  })
  const custom = loadConfig({
    JWT_SECRET: 'x'.repeat(32),
    PORT: '8080',
    ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    WS_MAX_PAYLOAD: '1024',
    LOG_LEVEL: 'warn',
  }).config
  t.equal(custom.port, 8080)
  t.same(custom.allowedOrigins, ['https://a.example', 'https://b.example'])
  t.equal(custom.ws.maxPayload, 1024)
  t.equal(custom.logLevel, 'warn')
  t.throws(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), PORT: 'abc' }), /PORT must be a non-negative integer/)
  t.throws(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of/)
  t.equal(loadConfig({ JWT_SECRET: 'x'.repeat(32), TYPING_TIMEOUT_MS: '500' }).config.typingTimeoutMs, 500)
  t.throws(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), OVERDUE_CHECK_INTERVAL_MS: '-5' }), /OVERDUE_CHECK_INTERVAL_MS must be a non-negative integer/)
  const beat = loadConfig({ JWT_SECRET: 'x'.repeat(32), PRESENCE_HEARTBEAT_MS: '2000' }).config
  t.match(beat, { processHeartbeatMs: 2000, processTtlMs: 6000 }, 'the older PRESENCE_HEARTBEAT_MS still sets the heartbeat; the TTL follows it')
  t.throws(() => loadConfig({ JWT_SECRET: 'x'.repeat(32), PROCESS_HEARTBEAT_MS: '1000', PROCESS_TTL_MS: '1000' }), /PROCESS_TTL_MS \(1000\) must be longer/)
  const over = loadConfig({ JWT_SECRET: 'x'.repeat(32) }, { ws: { maxConnectionsPerUser: 2 } as any }).config
  t.equal(over.ws.maxConnectionsPerUser, 2, 'partial ws overrides keep the other defaults')
  t.equal(over.ws.maxPayload, 16384)
})
