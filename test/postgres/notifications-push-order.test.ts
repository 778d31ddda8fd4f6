// test/notifications/push-order.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/push-order.test.js'))
