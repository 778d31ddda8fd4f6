/** Listens, and shuts down gracefully: sockets get 1012 and reconnect elsewhere. */
import closeWithGrace from 'close-with-grace'
import cluster from 'node:cluster'
import { availableParallelism } from 'node:os'
import { clusterProblem, runPrimary, workerCount } from './cluster.js'
import { describeDatabase, loadConfig } from './config.js'

let loaded
try {
  loaded = loadConfig()
} catch (err) {
  console.error(`Cannot start: ${(err as Error).message}`)
  process.exit(1)
}
const { config, warnings } = loaded

// WORKERS=N: this process becomes the primary of N workers (src/cluster.ts).
let workers = 1
try {
  workers = cluster.isPrimary ? workerCount(process.env.WORKERS, availableParallelism()) : 1
} catch (err) {
  console.error(`Cannot start: ${(err as Error).message}`)
  process.exit(1)
}
const problem = clusterProblem(workers, config)
if (problem) {
  console.error(`Cannot start: ${problem}`)
  process.exit(1)
}
if (workers > 1) await runPrimary(workers, config)
else await serve()

async function serve() {
  // Imported here so that a cluster primary does not load the whole app.
  const { buildApp } = await import('./app.js')
  const app = await buildApp(config)
  for (const warning of warnings) app.log.warn(warning)

  // Draining first: /readyz answers 503 for SHUTDOWN_DRAIN_MS while requests are still
  // served, so a load balancer stops sending new ones before the sockets get 1012.
  closeWithGrace({ delay: config.shutdownDrainMs + 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal, drainMs: config.shutdownDrainMs }, 'shutting down')
    app.startDraining()
    if (!err && config.shutdownDrainMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs))
    await app.close()
  })

  try {
    await app.listen({ port: config.port, host: config.host })
    app.log.info(`serving http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${config.port} (${describeDatabase(config)}, ${app.bus.kind} bus)`)
  } catch (err) {
    app.log.error({ err }, 'cannot listen')
    process.exit(1)
  }
}
