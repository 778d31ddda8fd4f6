// test/billing/gstr1.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../billing/gstr1.test.js'))
