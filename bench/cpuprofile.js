/** `.cpuprofile` files (V8's format): profiling a stretch of this process, and reading one back. */
import { readFileSync, writeFileSync } from 'node:fs'
import { Session } from 'node:inspector/promises'

/**
 * Starts a CPU profile of this process (node:inspector, in-process, so only the stretch
 * between start and stop is profiled); the returned function stops it and writes it to
 * `file`. `intervalUs`: the sampling interval, V8's default (1,000 µs) when omitted.
 */
export async function startProfile(intervalUs) {
  const session = new Session()
  session.connect()
  await session.post('Profiler.enable')
  if (intervalUs) await session.post('Profiler.setSamplingInterval', { interval: intervalUs })
  await session.post('Profiler.start')
  return async (file) => {
    const { profile } = await session.post('Profiler.stop')
    session.disconnect()
    writeFileSync(file, JSON.stringify(profile))
    return file
  }
}

/**
 * The profile, its nodes by id, each node's parent, and `name(id)`: function, file
 * (shortened to the package, or `dist/...`, `bench/...`) and line.
 */
export function readProfile(file) {
  const prof = JSON.parse(readFileSync(file, 'utf8'))
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  const parent = new Map()
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const name = (id) => {
    const f = byId.get(id).callFrame
    const url = f.url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/')
    return `${f.functionName || '(anon)'} ${url}:${f.lineNumber + 1}`
  }
  return { prof, byId, parent, name }
}
