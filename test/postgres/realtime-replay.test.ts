// test/realtime/replay.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../realtime/replay.test.js'))
