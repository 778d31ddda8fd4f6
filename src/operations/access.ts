/** Who may read the operational figures. */
import type { FastifyRequest } from 'fastify'

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1'])

/** A local scraper: loopback socket and no proxy in between (a proxy adds X-Forwarded-For). */
export function isLocalScrape(request: FastifyRequest): boolean {
  const remote = request.raw.socket.remoteAddress ?? ''
  return LOOPBACK.has(remote) && request.headers['x-forwarded-for'] === undefined && request.headers.forwarded === undefined
}
