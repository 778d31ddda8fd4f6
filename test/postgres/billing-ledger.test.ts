// test/billing/ledger.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../billing/ledger.test.js'))
