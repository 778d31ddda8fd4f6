// test/scale/redis-outage.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../scale/redis-outage.test.js'))
