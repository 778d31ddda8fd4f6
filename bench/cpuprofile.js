/** Reading a `.cpuprofile` (V8's format) for the bench/ scripts that summarise one. */
import { readFileSync } from 'node:fs'

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
