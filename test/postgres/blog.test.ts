// The test/blog/ files below, run again on PostgreSQL in one process (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(
  () => import('../blog/content.test.js'),
  () => import('../blog/live.test.js'),
  () => import('../blog/posts.test.js'),
  () => import('../blog/redis.test.js'),
)
