// test/realtime/auth.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../realtime/auth.test.js'))
