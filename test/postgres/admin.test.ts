// The test/admin/ files below, run again on PostgreSQL in one process (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(
  () => import('../admin/compose-form.test.js'),
)
