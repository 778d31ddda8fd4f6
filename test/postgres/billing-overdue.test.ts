// test/billing/overdue.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../billing/overdue.test.js'))
