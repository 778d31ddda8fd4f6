/**
 * The one error type for domain failures. Services throw it; the web layer maps it
 * once to an HTTP answer (src/web/http.ts) and the socket layer once to an `error`
 * frame (src/realtime/frames-router.ts via `frameErrorCode`). Anything else thrown
 * is a bug and answers 500.
 */
import type { ErrorCode } from './protocol.js'

/** Per-field messages of a rejected form or body, keyed by field name. */
export type FieldErrors = Partial<Record<string, string>>

export type FailureKind = 'invalid' | 'unprocessable' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited'

const HTTP_STATUS: Record<FailureKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
}

const FRAME_CODE: Record<FailureKind, ErrorCode> = {
  invalid: 'invalid',
  unprocessable: 'invalid',
  conflict: 'invalid',
  unauthorized: 'forbidden',
  forbidden: 'forbidden',
  not_found: 'forbidden',
  rate_limited: 'rate_limited',
}

export class DomainError extends Error {
  /** The `error` field of the JSON answer; the kind's own name unless a route needs a finer one. */
  readonly code: string

  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly details: { fields?: FieldErrors; code?: string } = {},
  ) {
    super(message)
    this.name = 'DomainError'
    this.code = details.code ?? kind
  }

  get fields(): FieldErrors | undefined {
    return this.details.fields
  }

  get statusCode(): number {
    return HTTP_STATUS[this.kind]
  }

  /** The socket `error` frame's code for this failure. */
  get frameCode(): ErrorCode {
    return FRAME_CODE[this.kind]
  }
}

export const notFound = (message = 'Not found') => new DomainError('not_found', message)
export const forbidden = (message = 'You are not allowed to do that') => new DomainError('forbidden', message)
export const conflict = (message: string) => new DomainError('conflict', message)
export const unauthorized = (message = 'Log in or send a valid bearer token') => new DomainError('unauthorized', message)

/**
 * A rejected input. With field messages the first one (`field: message`) is the message,
 * so API clients that read only `message` still learn what to fix.
 */
export function invalid(messageOrFields: string | FieldErrors, opts: { status?: 400 | 422; code?: string } = {}): DomainError {
  const kind = opts.status === 422 ? 'unprocessable' : 'invalid'
  if (typeof messageOrFields === 'string') return new DomainError(kind, messageOrFields, { code: opts.code ?? 'invalid' })
  const [field, message] = Object.entries(messageOrFields).find(([, m]) => m) ?? ['input', 'is invalid']
  return new DomainError(kind, `${field}: ${message}`, { fields: messageOrFields, code: opts.code ?? 'invalid' })
}

export function hasErrors(fields: FieldErrors): boolean {
  return Object.values(fields).some((m) => m)
}
