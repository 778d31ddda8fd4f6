/**
 * Static assets: compressed answers (brotli/gzip for every response over 1 KB but the
 * API's changes and the socket), and
 * public/, htmx, the lucide icons and uPlot (the /admin/live charts) under one versioned prefix, `/assets/<version>/`,
 * where the version is a hash of their contents: a changed file gets a new address,
 * so in production every asset can be cached for a year without revalidation.
 * Pages name assets through `it.asset('app.css')` (a default of every view).
 */
import fastifyCompress from '@fastify/compress'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { PUBLIC_DIR } from '../web/views.js'

const require = createRequire(import.meta.url)
const HTMX_DIST = join(dirname(require.resolve('htmx.org/package.json')), 'dist')
const ICONS_DIR = join(dirname(require.resolve('lucide-static/package.json')), 'icons')
const UPLOT_DIST = join(dirname(require.resolve('uplot/package.json')), 'dist')

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? filesUnder(path) : [path]
    })
}

/** A hash of public/ and the versions of the packages served beside it. */
function assetVersion(): string {
  const hash = createHash('sha256')
  for (const file of filesUnder(PUBLIC_DIR)) hash.update(file.slice(PUBLIC_DIR.length)).update(readFileSync(file))
  for (const pkg of ['htmx.org', 'lucide-static', 'uplot']) hash.update(`${pkg}@${require(`${pkg}/package.json`).version}`)
  return hash.digest('hex').slice(0, 12)
}

export const ASSET_VERSION = assetVersion()
export const ASSET_PREFIX = `/assets/${ASSET_VERSION}/`

/** The address of a file of public/ (`app.css`), of htmx (`htmx/htmx.min.js`), an icon (`icons/bell.svg`) or uPlot (`uplot/uPlot.iife.min.js`). */
export function asset(name: string): string {
  return ASSET_PREFIX + name
}

export const assetsPlugin = fp(
  async (app: FastifyInstance, { production }: { production: boolean }) => {
    // Changes under /api/ answer a few hundred bytes of JSON and the socket route
    // answers with an upgrade: neither takes compression's per-request hooks (the API
    // still accepts compressed bodies). Added before @fastify/compress so that its own
    // onRoute hook sees the flags.
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/ws/')) {
        route.compress ??= false
        route.decompress ??= false
      } else if (route.url.startsWith('/api/') && !([] as string[]).concat(route.method).includes('GET')) {
        route.compress ??= false
      }
    })
    await app.register(fastifyCompress, { global: true, encodings: ['br', 'gzip'] })

    const cache = production ? { maxAge: '365d', immutable: true } : { maxAge: 0 }
    const served: Array<[root: string, prefix: string, allow: ((path: string) => boolean) | null]> = [
      [PUBLIC_DIR, ASSET_PREFIX, null],
      [HTMX_DIST, `${ASSET_PREFIX}htmx/`, (path) => path.endsWith('.js')],
      [ICONS_DIR, `${ASSET_PREFIX}icons/`, (path) => path.endsWith('.svg')],
      [UPLOT_DIST, `${ASSET_PREFIX}uplot/`, (path) => path === '/uPlot.iife.min.js' || path === '/uPlot.min.css'],
    ]
    for (const [root, prefix, allow] of served) {
      await app.register(fastifyStatic, {
        root,
        prefix,
        decorateReply: false,
        ...(allow ? { allowedPath: allow } : {}),
        ...cache,
      })
    }

    // Browsers ask for /favicon.ico on their own (a 404 in the console otherwise).
    const favicon = readFileSync(join(PUBLIC_DIR, 'favicon.svg'))
    app.get('/favicon.ico', { logLevel: 'warn' }, async (_request, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(favicon),
    )
  },
  { name: 'assets' },
)
