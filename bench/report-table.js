/**
 * The markdown table of a benchmark run: one row per measurement, our server (SQLite),
 * ours on PostgreSQL with the PostgreSQL / SQLite ratio, the Socket.IO peer and the bare
 * ws floor with ours / theirs; then the multi-process table.
 */

const TARGETS = {
  rss: 10,
  p50_1000: 2,
  p99_1000: 10,
  p99_5000: 25,
  bcast_single: 500,
  eld: 50,
  bcast_multi: 3000,
}

function fmt(x, unit = '') {
  return x === null || x === undefined ? 'n/a' : `${x}${unit}`
}
function ratio(a, b) {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return 'n/a'
  return `${(a / b).toFixed(2)}x`
}

function rows(r, rates) {
  const rate = (k) => (r.rates ?? {})[k] ?? {}
  const out = [
    ['open sockets', r.sockets_open, ''],
    ['time to connect all (s)', r.connect_s, ''],
    ['server RSS per idle socket (KiB)', r.rss_per_socket_kib, `<= ${TARGETS.rss}`],
    ['server heap+external per socket (KiB)', r.heap_per_socket_kib, ''],
  ]
  for (const { spec, rate: k, batch } of rates) {
    const x = rate(spec)
    const name = batch > 1 ? `${k}/s in POSTs of ${batch}` : `${k}/s`
    const t50 = k === 1000 ? `<= ${TARGETS.p50_1000}` : ''
    const t99 = k === 1000 ? `<= ${TARGETS.p99_1000}` : k === 5000 ? `<= ${TARGETS.p99_5000}` : ''
    out.push([`${name}: achieved rate (/s)${x.saturated ? ' (saturated, stopped)' : ''}`, x.achieved_rate, ''])
    out.push([`${name}: p50 delivery (ms)`, x.p50_ms, t50])
    out.push([`${name}: p99 delivery (ms)`, x.p99_ms, t99])
    out.push([`${name}: max delivery (ms)`, x.max_ms, ''])
    out.push([`${name}: lost`, x.lost, '0'])
    out.push([`${name}: server CPU (% of one core)`, x.server_cpu_pct, ''])
    out.push([`${name}: longest event-loop block (ms)`, x.eld_max_ms, ''])
  }
  const b = r.broadcast ?? {}
  out.push(['broadcast: POST answered (ms)', b.http_ms, ''])
  out.push(['broadcast: last socket has it (ms)', b.last_ms, r.processes > 1 ? `<= ${TARGETS.bcast_multi}` : `<= ${TARGETS.bcast_single}`])
  out.push(['broadcast: p50 (ms)', b.p50_ms, ''])
  out.push(['broadcast: lost', b.lost, '0'])
  out.push(['broadcast: longest event-loop block (ms)', b.eld_max_ms, `<= ${TARGETS.eld}`])
  return out
}

/** 'yes' / 'no' for a value against a target like '<= 10' or '0'; '' when there is none. */
function meets(v, target) {
  if (!target || v === null || v === undefined) return ''
  const m = /^<= ([\d.]+)$/.exec(target)
  if (m) return v <= Number(m[1]) ? 'yes' : 'no'
  return Number(v) === Number(target) ? 'yes' : 'no'
}

/** Rows where a quotient means something (not counts, rates or CPU shares). */
const isRatio = (name) => !/open sockets|achieved|lost|CPU/.test(name)

export function markdown(results, meta, rates) {
  const by = Object.fromEntries(results.map((r) => [r.target, r]))
  const lines = [`Run ${meta.date} on ${meta.machine} (${meta.mode} mode).`, '']
  const measured = (r) => (r && r.sockets_open !== undefined ? r : null)
  const [ours, pg, sio, floor] = ['ours', 'ours-pg', 'sio', 'floor'].map((t) => measured(by[t]))
  const base = ours ?? pg ?? sio ?? floor
  if (base) {
    lines.push(`Single process, ${base.sockets_open ?? 0} sockets (ratios: ours / theirs, and PostgreSQL / SQLite for ours; below 1.00x is better for times and memory):`, '')
    lines.push('| row | ours | ours on PostgreSQL | PostgreSQL/SQLite | Socket.IO 4 | ours/Socket.IO | bare ws | ours/bare ws | target | met |')
    lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|---|')
    const [o, p, s, f] = [ours, pg, sio, floor].map((r) => (r ? rows(r, rates) : null))
    rows(base, rates).forEach(([name, , target], i) => {
      const [v, pv, sv, fv] = [o, p, s, f].map((t) => t?.[i]?.[1] ?? null)
      const q = (a, b) => (isRatio(name) ? ratio(a, b) : '')
      lines.push(`| ${name} | ${fmt(v)} | ${fmt(pv)} | ${q(pv, v)} | ${fmt(sv)} | ${q(v, sv)} | ${fmt(fv)} | ${q(v, fv)} | ${target} | ${meets(v, target)} |`)
    })
    lines.push('')
  }
  const multi = by['ours-multi']
  if (multi) {
    lines.push(`Several processes: ${multi.processes} server processes joined by Redis, ${multi.sockets_open ?? 0} sockets:`, '')
    lines.push('| row | ours, multi-process | target | met |')
    lines.push('|---|---:|---|---|')
    for (const [name, v, target] of rows(multi, rates)) lines.push(`| ${name} | ${fmt(v)} | ${target} | ${meets(v, target)} |`)
    lines.push('')
  }
  for (const r of results) if (r.error) lines.push(`- ${r.label}: error: ${r.error.split('\n')[0]}`)
  return lines.join('\n')
}
