// test/realtime/limits.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../realtime/limits.test.js'))
