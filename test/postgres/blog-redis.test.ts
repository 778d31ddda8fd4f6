// test/blog/redis.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../blog/redis.test.js'))
