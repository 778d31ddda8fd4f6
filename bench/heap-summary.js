#!/usr/bin/env node
/** node bench/heap-summary.js <file.heapsnapshot> [top]: objects by constructor, count and self size. */
import { readFileSync } from 'node:fs'

const [file, topArg] = process.argv.slice(2)
const snap = JSON.parse(readFileSync(file, 'utf8'))
const f = snap.snapshot.meta.node_fields
const types = snap.snapshot.meta.node_types[0]
const N = f.length
const iType = f.indexOf('type')
const iName = f.indexOf('name')
const iSize = f.indexOf('self_size')
const by = new Map()
let total = 0
for (let i = 0; i < snap.nodes.length; i += N) {
  const type = types[snap.nodes[i + iType]]
  const name = type === 'object' || type === 'closure' || type === 'native' ? snap.strings[snap.nodes[i + iName]] : `(${type})`
  const key = `${type}:${name}`.slice(0, 90)
  const size = snap.nodes[i + iSize]
  total += size
  const e = by.get(key) ?? [0, 0]
  e[0]++
  e[1] += size
  by.set(key, e)
}
console.log(`total self size ${(total / 2 ** 20).toFixed(1)} MiB`)
for (const [k, [n, s]] of [...by].sort((a, b) => b[1][1] - a[1][1]).slice(0, Number(topArg ?? 40))) {
  console.log(`${(s / 1024).toFixed(0).padStart(8)} KiB ${String(n).padStart(8)}  ${k}`)
}
