// test/notifications/batch-reads.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/batch-reads.test.js'))
