// test/realtime/outage-dedupe.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../realtime/outage-dedupe.test.js'))
