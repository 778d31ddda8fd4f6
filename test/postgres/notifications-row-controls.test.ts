// test/notifications/row-controls.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/row-controls.test.js'))
