#!/usr/bin/env node
/** node bench/profile-summary.js <file.cpuprofile> [top]: self and inclusive time by function. */
import { readProfile } from './cpuprofile.js'

const [file, topArg] = process.argv.slice(2)
const top = Number(topArg ?? 25)
const { prof, parent, name } = readProfile(file)
const selfUs = new Map()
const dts = prof.timeDeltas
for (let i = 0; i < prof.samples.length; i++) selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + (dts[i] ?? 0))
const total = dts.reduce((a, b) => a + b, 0)
const self = new Map()
const incl = new Map()
for (const [id, us] of selfUs) {
  self.set(name(id), (self.get(name(id)) ?? 0) + us)
  const seen = new Set()
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(cur)
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
