// test/accounts/accounts.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../accounts/accounts.test.js'))
