/**
 * Preloaded into every server the benchmark starts (`node --import bench/probe.js`),
 * ours and the two references alike, so all are measured the same way and the
 * server code carries nothing for the benchmark. It answers the benchmark's IPC
 * messages (the server is started with child_process.fork):
 *   {cmd:'stats', gc?:true, resetEld?:true} -> {rss, heapUsed, external, eldMax, eldP99, eldMean}
 *   {profile:'start'} then {profile:'stop', file}: a CPU profile of just that window
 *   (node:inspector, in-process), written to `file` (run.js --profile-phases)
 * RSS is VmRSS from /proc/self/status (what `ps` shows). The event-loop delay comes
 * from perf_hooks.monitorEventLoopDelay: the longest block since the last reset.
 */
import { readFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { writeHeapSnapshot } from 'node:v8'
import { startProfile } from './cpuprofile.js'

const eld = monitorEventLoopDelay({ resolution: 5 })
eld.enable()

function vmRssBytes() {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss
}

let stopProfile = null
async function profileWindow(msg) {
  if (msg.profile === 'start') {
    stopProfile = await startProfile(500)
    return null
  }
  const stop = stopProfile
  stopProfile = null
  return stop(msg.file)
}

if (process.send) {
  process.on('message', (msg) => {
    if (!msg || msg.probe !== true) return
    if (msg.profile) {
      profileWindow(msg).then(
        (file) => process.send({ probe: true, id: msg.id, file }),
        (err) => process.send({ probe: true, id: msg.id, error: String(err) }),
      )
      return
    }
    if (msg.heapSnapshot) {
      process.send({ probe: true, id: msg.id, file: writeHeapSnapshot(msg.heapSnapshot) })
      return
    }
    if (msg.gc && typeof globalThis.gc === 'function') {
      globalThis.gc()
      globalThis.gc()
    }
    const mem = process.memoryUsage()
    const reply = {
      probe: true,
      id: msg.id,
      pid: process.pid,
      rss: vmRssBytes(),
      heapUsed: mem.heapUsed,
      external: mem.external + mem.arrayBuffers,
      eldMax: eld.max / 1e6,
      eldP99: eld.percentile(99) / 1e6,
      eldMean: eld.mean / 1e6,
      cpuUs: (() => {
        const c = process.cpuUsage()
        return c.user + c.system
      })(),
    }
    if (msg.resetEld) eld.reset()
    process.send(reply)
  })
  // The IPC channel must not keep a server alive after it closed its listener.
  process.channel?.unref()
  // A server the benchmark started never outlives it.
  process.on('disconnect', () => process.exit(0))
}
