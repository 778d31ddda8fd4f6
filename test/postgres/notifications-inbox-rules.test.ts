// test/notifications/inbox-rules.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/inbox-rules.test.js'))
