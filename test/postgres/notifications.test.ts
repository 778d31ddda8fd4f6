// The test/notifications/ files below, run again on PostgreSQL in one process (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(
  () => import('../notifications/actions.test.js'),
  () => import('../notifications/api.test.js'),
  () => import('../notifications/batch-reads.test.js'),
  () => import('../notifications/broadcast-chunks.test.js'),
  () => import('../notifications/fan-out-slices.test.js'),
  () => import('../notifications/idempotency.test.js'),
  () => import('../notifications/inbox-page.test.js'),
  () => import('../notifications/inbox-rules.test.js'),
  () => import('../notifications/inbox-state.test.js'),
  () => import('../notifications/mutes.test.js'),
  () => import('../notifications/open.test.js'),
  () => import('../notifications/pages.test.js'),
  () => import('../notifications/preferences.test.js'),
  () => import('../notifications/push-order.test.js'),
  () => import('../notifications/row-controls.test.js'),
  () => import('../notifications/settings.test.js'),
  () => import('../notifications/snooze-wakeup.test.js'),
)
