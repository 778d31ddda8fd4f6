// test/realtime/socket.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../realtime/socket.test.js'))
