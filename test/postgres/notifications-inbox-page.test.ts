// test/notifications/inbox-page.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/inbox-page.test.js'))
