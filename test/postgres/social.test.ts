// The test/social/ files below, run again on PostgreSQL in one process (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(
  () => import('../social/friends.test.js'),
  () => import('../social/messages.test.js'),
  () => import('../social/once-per-socket.test.js'),
  () => import('../social/presence.test.js'),
  () => import('../social/redis.test.js'),
  () => import('../social/typing.test.js'),
)
