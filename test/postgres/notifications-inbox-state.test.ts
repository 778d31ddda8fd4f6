// test/notifications/inbox-state.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/inbox-state.test.js'))
