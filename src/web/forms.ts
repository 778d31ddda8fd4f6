/**
 * What every page with a form does: show it again, with a message next to each field,
 * when the service rejected it (an `invalid` DomainError with field messages), and
 * send the browser on once it was accepted.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, type FieldErrors } from '../errors.js'
import { isHtmx } from './http.js'

/** The field messages of a rejected form; rethrows every other failure. */
export function rejectedFields(err: unknown): FieldErrors {
  if (err instanceof DomainError && err.fields) return err.fields
  throw err
}

/** After an accepted form: htmx follows HX-Redirect (204), a plain form a 303. */
export function redirectAfterPost(request: FastifyRequest, reply: FastifyReply, url: string) {
  if (isHtmx(request)) {
    reply.header('HX-Redirect', url)
    return reply.status(204).send()
  }
  return reply.redirect(url, 303)
}
