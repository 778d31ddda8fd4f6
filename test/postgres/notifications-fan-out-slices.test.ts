// test/notifications/fan-out-slices.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/fan-out-slices.test.js'))
