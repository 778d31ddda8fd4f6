/**
 * Users, their logins (sessions) and the tokens that name them. A token is valid
 * while its signature, its expiry and its session hold: logging out revokes the
 * session, and every socket opened with it closes (the `session_revoked` event).
 */
import { and, eq, gt, inArray, isNull, sql, type SQLWrapper } from 'drizzle-orm'
import { randomBytes } from 'node:crypto'
import type { Db } from '../../db/client.js'
import { likeIgnoringCase } from '../../db/dialect.js'
import { inListQuery, prepare } from '../../db/prepared.js'
import { transact } from '../../db/transact.js'
import { DomainError, notFound } from '../../errors.js'
import type { PublicUser } from '../../protocol.js'
import type { Bus } from '../../realtime/bus.js'
import { DISABLED_PASSWORD, hashPassword, verifyPassword } from './password.js'
import { checkLoadUsernames, checkRegistration, normaliseUsername, usernameTaken, type RegistrationInput } from './registration.js'
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

export function toPublicUser(user: Pick<UserRow, 'id' | 'username' | 'firstName' | 'lastName'>): PublicUser {
  return { id: user.id, username: user.username, first_name: user.firstName, last_name: user.lastName }
}

export interface AccountServiceDeps {
  db: Db
  bus: Bus
  tokenTtlSeconds: number
  signToken(claims: TokenClaims): string
  /** Returns the claims of a well-signed, unexpired token, or null. */
  verifyToken(token: string): TokenClaims | null
}

/** Rows per statement when creating many users at once (well under SQLite's variable limit). */
const LOAD_CHUNK = 500

/** The session rule: a login is live until it is revoked (logout) or has expired. */
const liveSession = (now: number | SQLWrapper) =>
  and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now))

export function createAccountService({ db, bus, tokenTtlSeconds, signToken, verifyToken }: AccountServiceDeps) {
  // Prepared once: every request and socket upgrade resolves its token.
  const liveSessionWithUser = prepare(
    'accounts_live_session_with_user',
    db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(eq(sessions.id, sql.placeholder('id')), liveSession(sql.placeholder('now')))),
  )
  // One recipient named by id: the usual admin or domain notification.
  const userById = prepare('accounts_user_by_id', db.select().from(users).where(eq(users.id, sql.placeholder('id'))))
  const usersByIds = inListQuery('accounts_users_by_ids', (list) => db.select().from(users).where(inArray(users.id, list)))
  const liveSessionId = prepare(
    'accounts_live_session_id',
    db
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.id, sql.placeholder('id')), liveSession(sql.placeholder('now')))),
  )

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

  async function userNamed(username: string): Promise<UserRow | undefined> {
    return (await db.select().from(users).where(eq(users.username, normaliseUsername(username))).limit(1))[0]
  }

  const service = {
    async findById(id: number): Promise<UserRow> {
      const user = (await db.select().from(users).where(eq(users.id, id)).limit(1))[0]
      if (!user) throw notFound(`There is no user ${id}`)
      return user
    },

    async findByUsername(username: string): Promise<UserRow> {
      const user = await userNamed(username)
      if (!user) throw notFound(`There is no user ${normaliseUsername(username)}`)
      return user
    },

    /** Users by ids or usernames; unknown ones are reported back, not ignored. */
    async resolveUsers(by: { ids?: number[]; usernames?: string[] }): Promise<{ found: UserRow[]; missing: string[] }> {
      if (by.ids) {
        const ids = [...new Set(by.ids)]
        const found = ids.length === 1 ? await userById.execute({ id: ids[0]! }) : await usersByIds.run([...ids].sort((a, b) => a - b))
        const have = new Set(found.map((u) => u.id))
        return { found, missing: ids.filter((id) => !have.has(id)).map(String) }
      }
      const names = [...new Set((by.usernames ?? []).map(normaliseUsername))]
      const found = names.length ? await db.select().from(users).where(inArray(users.username, names)) : []
      const have = new Set(found.map((u) => u.username))
      return { found, missing: names.filter((n) => !have.has(n)) }
    },

    /** user id -> username, for the ids that exist. */
    async usernames(ids: number[]): Promise<Map<number, string>> {
      const unique = [...new Set(ids)]
      if (unique.length === 0) return new Map()
      const rows = await db.select({ id: users.id, username: users.username }).from(users).where(inArray(users.id, unique))
      return new Map(rows.map((r) => [r.id, r.username]))
    },

    async search(query: string, limit = 20): Promise<UserRow[]> {
      const q = `%${normaliseUsername(query).replace(/[%_\\]/g, (c) => '\\' + c)}%`
      return await db
        .select()
        .from(users)
        .where(likeIgnoringCase(db, users.username, q))
        .orderBy(users.username)
        .limit(limit)
    },

    /** A new user; 422 `invalid` with a message per field (a taken username included). */
    async register(input: RegistrationInput & { isAdmin?: boolean }): Promise<{ user: UserRow }> {
      checkRegistration(input)
      const username = normaliseUsername(input.username)
      if (await userNamed(username)) throw usernameTaken()
      const passwordHash = await hashPassword(input.password)
      try {
        const user = (await db
          .insert(users)
          .values({
            username,
            passwordHash,
            firstName: (input.firstName ?? '').trim(),
            lastName: (input.lastName ?? '').trim(),
            isAdmin: input.isAdmin ?? false,
          })
          .returning())[0]
        return { user }
      } catch (err) {
        // Two registrations raced between the check and the insert.
        if (String((err as Error).message).includes('UNIQUE')) throw usernameTaken()
        throw err
      }
    },

    /** The user whose password matches, else 401 `invalid_credentials`; the same work either way. */
    async authenticate(username: string, password: string): Promise<UserRow> {
      const user = await userNamed(username ?? '')
      const ok = await verifyPassword(password ?? '', user?.passwordHash ?? DISABLED_PASSWORD)
      if (!ok || !user) throw new DomainError('unauthorized', 'Wrong username or password', { code: 'invalid_credentials' })
      return user
    },

    async login(user: Pick<UserRow, 'id'>, kind: SessionKind): Promise<Login> {
      const session = newSession(user.id, kind)
      await db.insert(sessions).values(session)
      return { token: tokenFor(session), session, expiresAt: session.expiresAt }
    },

    /** Revokes the login; every socket opened with it, on every process, closes with 4401. */
    async logout(sessionId: string): Promise<void> {
      await transact(db, bus, async (tx, outbox) => {
        const row = (await tx
          .update(sessions)
          .set({ revokedAt: Date.now() })
          .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
          .returning({ userId: sessions.userId }))[0]
        if (row) outbox.push({ type: 'session_revoked', sessionId, userId: row.userId })
      })
    },

    /** Whether this login still holds: not logged out, not expired. */
    async isSessionLive(sessionId: string): Promise<boolean> {
      return (await liveSessionId.execute({ id: sessionId, now: Date.now() }))[0] !== undefined
    },

    /** Checks signature, expiry and that the session is still live; null for no or a dead token. */
    async resolveToken(token: string | undefined | null): Promise<Principal | null> {
      if (!token) return null
      const claims = verifyToken(token)
      if (!claims || typeof claims.sid !== 'string') return null
      const row = (await liveSessionWithUser.execute({ id: claims.sid, now: Date.now() }))[0]
      if (!row || row.user.id !== Number(claims.sub)) return null
      return { user: row.user, sessionId: row.session.id, expiresAt: Math.min(row.session.expiresAt, claims.exp * 1000) }
    },

    /**
     * Creates users prefix1..prefixN that are missing (token-only accounts) and
     * one API login each, in one transaction: for load tests. `progress` hears how
     * many are done after each chunk (created in the transaction, then signed).
     */
    async loadUsers(count: number, prefix: string, progress?: (done: number, phase: 'created' | 'signed') => void): Promise<Array<{ id: number; token: string }>> {
      const names = Array.from({ length: count }, (_, i) => normaliseUsername(`${prefix}${i + 1}`))
      checkLoadUsernames(names)
      const now = Date.now()
      // Multi-row statements: one per chunk, not one per user.
      const created = await transact(db, bus, async (tx) => {
        const out: SessionRow[] = []
        for (let i = 0; i < names.length; i += LOAD_CHUNK) {
          const chunk = names.slice(i, i + LOAD_CHUNK)
          await tx.insert(users)
            .values(chunk.map((username) => ({ username, passwordHash: DISABLED_PASSWORD })))
            .onConflictDoNothing({ target: users.username })
          const ids = new Map(
            (await tx.select({ id: users.id, username: users.username }).from(users).where(inArray(users.username, chunk)))
              .map((u) => [u.username, u.id]),
          )
          const chunkSessions = chunk.map((username) => newSession(ids.get(username)!, 'api', now))
          await tx.insert(sessions).values(chunkSessions)
          out.push(...chunkSessions)
          progress?.(out.length, 'created')
        }
        return out
      })
      return created.map((session, i) => {
        if (progress && (i + 1) % LOAD_CHUNK === 0) progress(i + 1, 'signed')
        return { id: session.userId, token: tokenFor(session) }
      })
    },
  }
  return service
}

export type AccountService = ReturnType<typeof createAccountService>
