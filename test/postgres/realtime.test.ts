// The test/realtime/ files below, run again on PostgreSQL in one process (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(
  () => import('../realtime/auth.test.js'),
  () => import('../realtime/frames.test.js'),
  () => import('../realtime/limits.test.js'),
  () => import('../realtime/outage-dedupe.test.js'),
  () => import('../realtime/replay.test.js'),
  () => import('../realtime/snapshot-dedupe.test.js'),
  () => import('../realtime/socket.test.js'),
)
