#!/usr/bin/env node
/** node bench/profile-summary.js <file.cpuprofile> [top]: self and inclusive time by function. */
import { readFileSync } from 'node:fs'

const [file, topArg] = process.argv.slice(2)
const top = Number(topArg ?? 25)
const prof = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const selfUs = new Map()
const dts = prof.timeDeltas
for (let i = 0; i < prof.samples.length; i++) selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + (dts[i] ?? 0))
const total = dts.reduce((a, b) => a + b, 0)
const name = (n) => {
  const f = n.callFrame
  const url = f.url.replace(/^file:\/\/.*?node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/')
  return `${f.functionName || '(anon)'} ${url}:${f.lineNumber + 1}`
}
const self = new Map()
const incl = new Map()
for (const [id, us] of selfUs) {
  const n = byId.get(id)
  self.set(name(n), (self.get(name(n)) ?? 0) + us)
  const seen = new Set()
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur))
    if (seen.has(k)) continue
    seen.add(k)
    incl.set(k, (incl.get(k) ?? 0) + us)
  }
}
const show = (title, m) => {
  console.log(`\n${title} (total ${(total / 1e3).toFixed(0)} ms)`)
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
}
show('self', self)
show('inclusive', incl)
