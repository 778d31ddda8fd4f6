// test/social/once-per-socket.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../social/once-per-socket.test.js'))
