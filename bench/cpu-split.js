/**
 * Where a phase's CPU went, by process group, read from /proc (Linux; null elsewhere):
 * the servers, the load processes, Redis and this coordinator (which also publishes),
 * beside the whole machine's busy share. On a machine that runs the servers and the
 * clients on the same few cores, a phase whose processes together used nearly all the
 * cores' time was bounded by the machine, not by one server's code path.
 *
 *   const a = cpuMark({ servers: [pid...], clients: [pid...], redis: [pid] })
 *   ...phase...
 *   const split = cpuSplit(a, cpuMark(sameGroups))
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'

const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
  } catch {
    return 10
  }
})()

/** utime + stime of a process (every thread) in ms, or null when it cannot be read. */
function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name "(...)": state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) * TICK_MS
  } catch {
    return null
  }
}

/** The machine's busy and total jiffies from the first line of /proc/stat. */
function machineJiffies() {
  try {
    const [, ...v] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/)
    const [user, nice, system, idle, iowait, irq, softirq, steal] = v.map(Number)
    const busy = user + nice + system + irq + softirq + (steal || 0)
    return { busy, total: busy + idle + iowait }
  } catch {
    return null
  }
}

/**
 * @param {Record<string, Array<number | undefined>>} groups pids by group name
 */
export function cpuMark(groups) {
  const byGroup = {}
  const each = {}
  for (const [name, pids] of Object.entries(groups)) {
    each[name] = pids.map((pid) => (pid ? processCpuMs(pid) : null))
    byGroup[name] = each[name].includes(null) ? null : each[name].reduce((a, b) => a + b, 0)
  }
  const own = process.cpuUsage()
  return { at: performance.now(), byGroup, servers: each.servers ?? [], coordinator: (own.user + own.system) / 1000, machine: machineJiffies() }
}

/** CPU ms of each group between two marks, and shares of the cores' time in that wall time. */
export function cpuSplit(a, b) {
  const wall = b.at - a.at
  const cores = availableParallelism()
  const out = { wall_ms: Math.round(wall) }
  let ours = 0
  for (const name of Object.keys(b.byGroup)) {
    const d = a.byGroup[name] === null || b.byGroup[name] === null ? null : b.byGroup[name] - a.byGroup[name]
    out[`${name}_ms`] = d === null ? null : Math.round(d)
    ours += d ?? 0
  }
  // Several servers: each one's share (one busier than the rest is where to look).
  if (b.servers.length > 1 && !a.servers.includes(null) && !b.servers.includes(null)) {
    out.servers_each_ms = b.servers.map((ms, i) => Math.round(ms - a.servers[i]))
  }
  const coordinator = b.coordinator - a.coordinator
  out.coordinator_ms = Math.round(coordinator)
  ours += coordinator
  // The bench's own processes against what the cores could give in that time, and the
  // whole machine (anything else running shows as the difference).
  out.bench_share_pct = wall > 0 ? Math.round((100 * ours) / (cores * wall)) : null
  out.machine_busy_pct =
    a.machine && b.machine && b.machine.total > a.machine.total
      ? Math.round((100 * (b.machine.busy - a.machine.busy)) / (b.machine.total - a.machine.total))
      : null
  return out
}
