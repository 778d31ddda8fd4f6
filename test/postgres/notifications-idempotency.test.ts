// test/notifications/idempotency.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/idempotency.test.js'))
