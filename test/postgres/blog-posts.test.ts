// test/blog/posts.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../blog/posts.test.js'))
