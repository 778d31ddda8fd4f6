// test/realtime/snapshot-dedupe.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../realtime/snapshot-dedupe.test.js'))
