// test/notifications/snooze-wakeup.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/snooze-wakeup.test.js'))
