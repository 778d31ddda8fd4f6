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
  return new Views({ views: VIEWS_DIR, cache, autoEscape: true, autoTrim: false })
}

const INDIA = { timeZone: 'Asia/Kolkata' } as const

/**
 * Templates run with the instance as `this`: partials/time.eta formats through these.
 * Building a formatter costs ~100 us (toLocaleString builds one per call, and every
 * pushed toast and row shows a time); formatting with a built one ~1 us.
 */
class Views extends Eta {
  readonly indiaTime = {
    date: new Intl.DateTimeFormat('en-IN', { ...INDIA, dateStyle: 'medium' }),
    dateTime: new Intl.DateTimeFormat('en-IN', { ...INDIA, dateStyle: 'medium', timeStyle: 'short' }),
  }

  constructor(...args: ConstructorParameters<typeof Eta>) {
    super(...args)
    // Eta resolves a template's file on every render and include (a JSON key, two path
    // joins and a relative check: ~1% of a pushed notification's CPU); the answer
    // depends only on the names, so it is kept.
    const uncached = this.resolvePath!
    const resolved = new Map<string, string>()
    this.resolvePath = function (template, options) {
      const key = `${options?.filepath ?? ''}\n${template}`
      let path = resolved.get(key)
      if (path === undefined) resolved.set(key, (path = uncached.call(this, template, options)))
      return path
    }
  }
}
