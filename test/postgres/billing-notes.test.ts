// test/billing/notes.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../billing/notes.test.js'))
