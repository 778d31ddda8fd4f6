// The test/accounts/ files below, run again on PostgreSQL in one process (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(
  () => import('../accounts/accounts.test.js'),
)
