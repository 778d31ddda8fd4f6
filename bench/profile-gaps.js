#!/usr/bin/env node
/**
 * node bench/profile-gaps.js <file.cpuprofile> <server log> [min-ms] [top]: for each
 * event-loop gap of at least min-ms (default 60) that bench/gaps.js logged, what the CPU
 * profile sampled meanwhile: how many samples (a gap with far fewer samples than
 * milliseconds is time the process was off a core), how many idle, and the functions on
 * the most samples' stacks.
 */
import { readFileSync } from 'node:fs'
import { readProfile } from './cpuprofile.js'

const [file, log, minArg, topArg] = process.argv.slice(2)
const min = Number(minArg ?? 60)
const top = Number(topArg ?? 12)
const { prof, byId, parent, name } = readProfile(file)
const times = []
let t = prof.startTime
for (const dt of prof.timeDeltas) times.push((t += dt))

for (const line of readFileSync(log, 'utf8').split('\n')) {
  const m = /event-loop gap ([\d.]+) ms ending at (\d+)/.exec(line)
  if (!m || Number(m[1]) < min) continue
  const end = Number(m[2])
  const start = end - Number(m[1]) * 1000
  const onStack = new Map()
  let samples = 0
  let idle = 0
  for (let i = 0; i < times.length; i++) {
    if (times[i] < start || times[i] > end) continue
    samples++
    if (byId.get(prof.samples[i]).callFrame.functionName === '(idle)') idle++
    const seen = new Set()
    for (let id = prof.samples[i]; id !== undefined; id = parent.get(id)) {
      const k = name(id)
      if (seen.has(k) || k.startsWith('(root)')) continue
      seen.add(k)
      onStack.set(k, (onStack.get(k) ?? 0) + 1)
    }
  }
  console.log(`\n${m[1]} ms gap at ${((start - prof.startTime) / 1e6).toFixed(2)} s into the profile: ${samples} samples, ${idle} idle`)
  for (const [k, v] of [...onStack].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${String(Math.round((100 * v) / Math.max(samples, 1))).padStart(3)}%  ${k}`)
}
