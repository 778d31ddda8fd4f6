import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm'
import { randomBytes } from 'node:crypto'
import type { Db } from '../../db/client.js'
import type { Bus } from '../../realtime/bus.js'
import type { PublicUser } from '../../protocol.js'
import { DISABLED_PASSWORD, hashPassword, verifyPassword } from './password.js'
import { sessions, users, type SessionRow, type UserRow } from './schema.js'

export type SessionKind = 'cookie' | 'api'

export interface TokenClaims {
  sub: number
  sid: string
  exp: number
}

export interface Login {
  token: string
  session: SessionRow
  /** ms since epoch */
  expiresAt: number
}

/** Who a request or socket belongs to, after the token and its session were checked. */
export interface Principal {
  user: UserRow
  sessionId: string
  /** ms since epoch */
  expiresAt: number
}

import type { FieldErrors } from '../../errors.js'

export interface RegistrationInput {
  username: string
  password: string
  firstName?: string
  lastName?: string
}

const USERNAME = /^[a-z0-9_.-]{3,32}$/

export function normaliseUsername(username: string): string {
  return username.trim().toLowerCase()
}

export function toPublicUser(user: Pick<UserRow, 'id' | 'username' | 'firstName' | 'lastName'>): PublicUser {
  return { id: user.id, username: user.username, first_name: user.firstName, last_name: user.lastName }
}

export function validateRegistration(input: RegistrationInput): FieldErrors {
  const errors: FieldErrors = {}
  const username = normaliseUsername(input.username ?? '')
  if (!USERNAME.test(username)) {
    errors.username = 'Use 3 to 32 letters, digits, dots, dashes or underscores.'
  }
  const password = input.password ?? ''
  if (password.length < 8) errors.password = 'Use at least 8 characters.'
  else if (password.length > 200) errors.password = 'Use at most 200 characters.'
  if ((input.firstName ?? '').length > 50) errors.firstName = 'At most 50 characters.'
  if ((input.lastName ?? '').length > 50) errors.lastName = 'At most 50 characters.'
  return errors
}

export interface AccountServiceDeps {
  db: Db
  bus: Bus
  tokenTtlSeconds: number
  signToken(claims: TokenClaims): string
  /** Returns the claims of a well-signed, unexpired token, or null. */
  verifyToken(token: string): TokenClaims | null
}

export function createAccountService({ db, bus, tokenTtlSeconds, signToken, verifyToken }: AccountServiceDeps) {
  const sessionById = db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sql.placeholder('id')), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql.placeholder('now'))))
    .prepare()

  function newSession(userId: number, kind: SessionKind, now = Date.now()): SessionRow {
    return {
      id: randomBytes(18).toString('base64url'),
      userId,
      kind,
      createdAt: now,
      expiresAt: now + tokenTtlSeconds * 1000,
      revokedAt: null,
    }
  }

  function tokenFor(session: SessionRow): string {
    return signToken({ sub: session.userId, sid: session.id, exp: Math.floor(session.expiresAt / 1000) })
  }

  const service = {
    findById(id: number): UserRow | undefined {
      return db.select().from(users).where(eq(users.id, id)).get()
    },

    findByUsername(username: string): UserRow | undefined {
      return db.select().from(users).where(eq(users.username, normaliseUsername(username))).get()
    },

    /** Users by ids or usernames; unknown ones are reported back, not ignored. */
    resolveUsers(by: { ids?: number[]; usernames?: string[] }): { found: UserRow[]; missing: string[] } {
      if (by.ids) {
        const ids = [...new Set(by.ids)]
        const found = ids.length ? db.select().from(users).where(inArray(users.id, ids)).all() : []
        const have = new Set(found.map((u) => u.id))
        return { found, missing: ids.filter((id) => !have.has(id)).map(String) }
      }
      const names = [...new Set((by.usernames ?? []).map(normaliseUsername))]
      const found = names.length ? db.select().from(users).where(inArray(users.username, names)).all() : []
      const have = new Set(found.map((u) => u.username))
      return { found, missing: names.filter((n) => !have.has(n)) }
    },

    search(query: string, limit = 20): UserRow[] {
      const q = `%${normaliseUsername(query).replace(/[%_\\]/g, (c) => '\\' + c)}%`
      return db
        .select()
        .from(users)
        .where(sql`${users.username} LIKE ${q} ESCAPE '\\'`)
        .orderBy(users.username)
        .limit(limit)
        .all()
    },

    async register(input: RegistrationInput & { isAdmin?: boolean }): Promise<{ user: UserRow } | { errors: FieldErrors }> {
      const errors = validateRegistration(input)
      if (Object.keys(errors).length) return { errors }
      const username = normaliseUsername(input.username)
      if (service.findByUsername(username)) return { errors: { username: 'That username is taken.' } }
      const passwordHash = await hashPassword(input.password)
      try {
        const user = db
          .insert(users)
          .values({
            username,
            passwordHash,
            firstName: (input.firstName ?? '').trim(),
            lastName: (input.lastName ?? '').trim(),
            isAdmin: input.isAdmin ?? false,
          })
          .returning()
          .get()
        return { user }
      } catch (err) {
        // Two registrations raced between the check and the insert.
        if (String((err as Error).message).includes('UNIQUE')) return { errors: { username: 'That username is taken.' } }
        throw err
      }
    },

    /** The user whose password matches, or null; the same work either way. */
    async authenticate(username: string, password: string): Promise<UserRow | null> {
      const user = service.findByUsername(username ?? '')
      const ok = await verifyPassword(password ?? '', user?.passwordHash ?? DISABLED_PASSWORD)
      return ok && user ? user : null
    },

    login(user: UserRow, kind: SessionKind): Login {
      const session = newSession(user.id, kind)
      db.insert(sessions).values(session).run()
      return { token: tokenFor(session), session, expiresAt: session.expiresAt }
    },

    /** Revokes the login; every socket opened with it, on every process, closes with 4401. */
    logout(sessionId: string): void {
      const row = db
        .update(sessions)
        .set({ revokedAt: Date.now() })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
        .returning({ userId: sessions.userId })
        .get()
      if (row) bus.publish({ type: 'session_revoked', sessionId, userId: row.userId })
    },

    /** Checks signature, expiry and that the session is still live. */
    resolveToken(token: string | undefined | null): Principal | null {
      if (!token) return null
      const claims = verifyToken(token)
      if (!claims || typeof claims.sid !== 'string') return null
      const row = sessionById.get({ id: claims.sid, now: Date.now() })
      if (!row || row.user.id !== Number(claims.sub)) return null
      return { user: row.user, sessionId: row.session.id, expiresAt: Math.min(row.session.expiresAt, claims.exp * 1000) }
    },

    /**
     * Creates users prefix1..prefixN that are missing (token-only accounts) and
     * one API login each, in one transaction: for load tests.
     */
    loadUsers(count: number, prefix: string): Array<{ id: number; token: string }> {
      const names = Array.from({ length: count }, (_, i) => normaliseUsername(`${prefix}${i + 1}`))
      const invalid = names.find((n) => !/^[a-z0-9_.-]{1,32}$/.test(n))
      if (invalid) throw new Error(`"${invalid}" is not a valid username (up to 32 letters, digits, . _ -)`)
      const now = Date.now()
      // Prepared statements in one transaction: drizzle's builders for multi-row inserts
      // cost several times more than SQLite itself here.
      const sqlite = db.$client
      const insertUser = sqlite.prepare(`INSERT INTO users (username, password_hash) VALUES (?, '${DISABLED_PASSWORD}') ON CONFLICT(username) DO NOTHING`)
      const idOf = sqlite.prepare('SELECT id FROM users WHERE username = ?').pluck()
      const insertSession = sqlite.prepare('INSERT INTO sessions (id, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      const rows = sqlite.transaction(() =>
        names.map((username) => {
          insertUser.run(username)
          const session = newSession(idOf.get(username) as number, 'api', now)
          insertSession.run(session.id, session.userId, session.kind, session.createdAt, session.expiresAt)
          return { id: session.userId, session }
        }),
      ).immediate()
      return rows.map(({ id, session }) => ({ id, token: tokenFor(session) }))
    },
  }
  return service
}

export type AccountService = ReturnType<typeof createAccountService>
