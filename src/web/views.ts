import { Eta } from 'eta'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const VIEWS_DIR = resolve(ROOT_DIR, 'views')
export const PUBLIC_DIR = resolve(ROOT_DIR, 'public')

/**
 * One Eta instance serves full pages (through @fastify/view), htmx responses
 * and the fragments pushed over sockets, so every fragment has one template.
 * `<%= %>` escapes; user-supplied text is only ever output that way.
 */
export function createViews(cache: boolean): Eta {
  return new Eta({ views: VIEWS_DIR, cache, autoEscape: true, autoTrim: false })
}
