/**
 * Verified tokens, kept so that a client sending the same token on every request
 * pays the signature check (an HMAC and two base64 decodes, ~4% of an API POST)
 * once a minute instead of every time. Only the claims are kept: whether the
 * session is still live is asked on every request as before, so a logout refuses
 * the token at once on every process. Entries leave when the token expires, after
 * `ttlMs`, when the cache is full (oldest first) or when their session is revoked.
 */
import type { TokenClaims } from './service.js'

export interface TokenCacheOptions {
  /** Entries kept at most. */
  max?: number
  /** How long a verification is trusted, at most (the token's own expiry comes first). */
  ttlMs?: number
  now?: () => number
}

interface Entry {
  claims: TokenClaims
  until: number
}

export class TokenCache {
  private readonly entries = new Map<string, Entry>()
  private readonly max: number
  private readonly ttlMs: number
  private readonly now: () => number

  constructor({ max = 4096, ttlMs = 60_000, now = Date.now }: TokenCacheOptions = {}) {
    this.max = max
    this.ttlMs = ttlMs
    this.now = now
  }

  get size(): number {
    return this.entries.size
  }

  /** `verify` with its successes remembered; a refused token is checked again every time. */
  wrap(verify: (token: string) => TokenClaims | null): (token: string) => TokenClaims | null {
    return (token) => {
      const now = this.now()
      const hit = this.entries.get(token)
      if (hit) {
        if (hit.until > now) return hit.claims
        this.entries.delete(token)
      }
      const claims = verify(token)
      if (claims) this.keep(token, claims, now)
      return claims
    }
  }

  /** A revoked login: its tokens are verified again next time (and then refused by the session check). */
  forgetSession(sessionId: string): void {
    for (const [token, entry] of this.entries) if (entry.claims.sid === sessionId) this.entries.delete(token)
  }

  private keep(token: string, claims: TokenClaims, now: number): void {
    const until = Math.min(now + this.ttlMs, claims.exp * 1000)
    if (until <= now) return
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(token, { claims, until })
  }
}
