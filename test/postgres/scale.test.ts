// The test/scale/ files below, run again on PostgreSQL in one process (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(
  () => import('../scale/redis-outage.test.js'),
  () => import('../scale/shared-state.test.js'),
  () => import('../scale/two-processes.test.js'),
)
