/**
 * Builds the app for tests and gives HTTP and socket clients.
 * Every test gets its own in-memory database and local bus unless it asks otherwise.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { AddressInfo } from 'node:net'
import { WebSocket } from 'ws'
import { buildApp, type BuildOptions } from '../src/app.js'
import { loadConfig, type Config } from '../src/config.js'
import type { ServerFrame, WithContent } from '../src/protocol.js'
import type { SQL } from 'drizzle-orm'
import { rows } from '../src/db/raw.js'
import { onPostgresNow, testDatabaseUrl } from './postgres/harness.js'

export type Frame = WithContent<ServerFrame> & Record<string, any>

export interface TestApp {
  app: FastifyInstance
  /** http://127.0.0.1:<port> once `listen()` was called */
  url: string
  listen(): Promise<string>
  close(): Promise<void>
}

export async function buildTestApp(overrides: Partial<Config> = {}, options: BuildOptions = {}): Promise<TestApp> {
  // Under test/postgres/ the same tests run on PostgreSQL: a schema stands in for the file.
  if (onPostgresNow() && !overrides.databaseUrl) overrides = { ...overrides, databaseUrl: await testDatabaseUrl(overrides.databasePath ?? ':memory:') }
  const { config } = loadConfig(
    { NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    { databasePath: ':memory:', jwtSecret: 'test-secret-test-secret-test-secret!', authRateLimitPerMinute: 1000, ...overrides },
  )
  const app = await buildApp(config, options)
  await app.ready()
  const t: TestApp = {
    app,
    url: '',
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' })
      t.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      return t.url
    },
    close: () => app.close(),
  }
  return t
}

export interface TestUser {
  id: number
  username: string
  password: string
  /** Bearer token (an API login) */
  token: string
}

let seq = 0
export async function createUser(app: FastifyInstance, opts: { username?: string; admin?: boolean; password?: string } = {}): Promise<TestUser> {
  const username = opts.username ?? `user${++seq}${process.pid % 1000}`
  const password = opts.password ?? 'password-123'
  // A rejected registration throws (DomainError with field messages).
  const result = await app.accounts.register({ username, password, isAdmin: opts.admin ?? false })
  const token = (await app.accounts.login(result.user, 'api')).token
  return { id: result.user.id, username: result.user.username, password, token }
}

export const bearer = (user: { token: string }) => ({ authorization: `Bearer ${user.token}` })

/** A browser-like session: cookies kept between requests, CSRF token from the last page. */
export class Browser {
  cookies = new Map<string, string>()
  csrf = ''
  constructor(readonly app: FastifyInstance) {}

  get cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private keep(res: LightMyRequestResponse) {
    for (const c of res.cookies as Array<{ name: string; value: string; expires?: Date; maxAge?: number }>) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name)
      else this.cookies.set(c.name, c.value)
    }
    const m = /name="csrf-token" content="([^"]+)"/.exec(res.body) ?? /name="_csrf" value="([^"]+)"/.exec(res.body)
    if (m) this.csrf = m[1]!
    return res
  }

  async get(url: string, headers: Record<string, string> = {}) {
    return this.keep(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader, ...headers } }))
  }

  /** A form post with the page's CSRF token (pass csrf: false to leave it out). */
  async post(url: string, form: Record<string, string> = {}, opts: { csrf?: boolean; headers?: Record<string, string> } = {}) {
    const body = new URLSearchParams({ ...(opts.csrf === false ? {} : { _csrf: this.csrf }), ...form }).toString()
    return this.keep(
      await this.app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader, ...opts.headers },
      }),
    )
  }

  /** A JSON call the way the page's htmx/fetch makes it: cookie + X-CSRF-Token. */
  async json(method: 'POST' | 'GET', url: string, payload?: unknown, opts: { csrf?: boolean } = {}) {
    return this.keep(
      await this.app.inject({
        method,
        url,
        payload: payload === undefined ? undefined : JSON.stringify(payload),
        headers: {
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          cookie: this.cookieHeader,
          ...(opts.csrf === false ? {} : { 'x-csrf-token': this.csrf }),
        },
      }),
    )
  }

  async login(username: string, password: string) {
    await this.get('/login')
    const res = await this.post('/login', { username, password })
    if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode} ${res.body.slice(0, 200)}`)
    await this.get('/')
    return this
  }

  get authCookie() {
    return this.cookies.get('token')
  }
}

/** A real `ws` client that keeps every frame, so none is missed before a listener exists. */
export class SocketClient {
  readonly frames: Frame[] = []
  closeCode: number | null = null
  closeReason = ''
  /** The start of the first frame that came as binary instead of text. */
  binaryFrame: string | undefined
  private waiters: Array<() => void> = []
  readonly opened: Promise<void>
  readonly closed: Promise<number>

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      // The protocol's frames are JSON text: a binary one (a Buffer sent without `binary: false`) fails the next wait.
      if (isBinary) this.binaryFrame ??= data.toString().slice(0, 60)
      this.frames.push(JSON.parse(data.toString()))
      this.wake()
    })
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve())
      ws.once('error', reject)
    })
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => {
        this.closeCode = code
        this.closeReason = reason.toString()
        this.wake()
        resolve(code)
      }),
    )
    ws.on('error', () => {})
  }

  private wake() {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Frames of a type received so far. */
  ofType(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type)
  }

  /** Resolves with the first frame (not yet taken) matching, waiting up to `ms`. */
  private taken = new Set<Frame>()
  async next(match: string | ((f: Frame) => boolean), ms = 3000): Promise<Frame> {
    const pred = typeof match === 'string' ? (f: Frame) => f.type === match : match
    const deadline = Date.now() + ms
    for (;;) {
      this.textOnly()
      const found = this.frames.find((f) => !this.taken.has(f) && pred(f))
      if (found) {
        this.taken.add(found)
        return found
      }
      const left = deadline - Date.now()
      if (left <= 0 || this.closeCode !== null) {
        throw new Error(`no ${typeof match === 'string' ? match : 'matching'} frame within ${ms} ms (got ${this.frames.map((f) => f.type).join(',')}; close ${this.closeCode})`)
      }
      await this.nextFrameOr(left)
    }
  }

  /** Resolves when the next frame arrives (or the socket closes), or after `ms`. */
  private nextFrameOr(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      this.waiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** A point in this socket's frame history: take it before an action, check with `since`. */
  mark(): number {
    return this.frames.length
  }

  /**
   * Waits `ms`, then returns every frame (of a type) received since `mark`. Asserting
   * that this is empty proves "this socket got nothing from the action", including a
   * frame that arrived before the check began. With `atLeast`, first waits (up to 5 s)
   * for that many: "exactly one" checks pass `atLeast: 1` and look at the length.
   */
  async since(mark: number, ms = 200, type?: string, atLeast = 0): Promise<Frame[]> {
    const got = () => this.frames.slice(mark).filter((f) => !type || f.type === type)
    // Frames that must come are waited for (a loaded machine can take seconds), then
    // `ms` more, so that a duplicate or a stray frame still shows.
    for (const deadline = Date.now() + 5000; got().length < atLeast && Date.now() < deadline && this.closeCode === null; ) {
      await this.nextFrameOr(deadline - Date.now())
    }
    await new Promise((r) => setTimeout(r, ms))
    this.textOnly()
    return got()
  }

  private textOnly(): void {
    if (this.binaryFrame !== undefined) throw new Error(`the server sent a binary frame: ${this.binaryFrame}`)
  }

  /** Lets frames in flight arrive (no assertion: use `mark` + `since` for "got nothing"). */
  async settle(ms = 200): Promise<void> {
    await new Promise((r) => setTimeout(r, ms))
  }

  async close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close()
    await this.closed
  }
}

/** Opens /ws/notifications on a listening app. */
export async function connect(
  baseUrl: string,
  opts: { token?: string; query?: Record<string, string>; headers?: Record<string, string>; path?: string } = {},
): Promise<SocketClient> {
  const url = new URL((opts.path ?? '/ws/notifications'), baseUrl.replace(/^http/, 'ws'))
  if (opts.token) url.searchParams.set('token', opts.token)
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v)
  const client = new SocketClient(new WebSocket(url, { headers: opts.headers }))
  await client.opened
  return client
}

/** Connects and waits for the `initial` frame. */
export async function connectReady(baseUrl: string, opts: Parameters<typeof connect>[1] = {}) {
  const client = await connect(baseUrl, opts)
  const initial = await client.next('initial')
  return { client, initial }
}

export function adminNotify(app: FastifyInstance, admin: TestUser, body: Record<string, unknown>) {
  return app.inject({ method: 'POST', url: '/api/notifications', headers: bearer(admin), payload: body })
}

/** The rows of a raw query on the app's database, SQLite or PostgreSQL (write it in SQL both accept). */
export function sqlRows<T = Record<string, unknown>>(app: FastifyInstance, query: SQL): Promise<T[]> {
  return rows<T>(app.db, query)
}

/** The first column of a raw query's first row (a count, a title). */
export async function sqlValue<T = unknown>(app: FastifyInstance, query: SQL): Promise<T | undefined> {
  const [row] = await rows<Record<string, T>>(app.db, query)
  return row ? Object.values(row)[0] : undefined
}
