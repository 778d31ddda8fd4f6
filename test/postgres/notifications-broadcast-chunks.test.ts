// test/notifications/broadcast-chunks.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../notifications/broadcast-chunks.test.js'))
