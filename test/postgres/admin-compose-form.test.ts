// test/admin/compose-form.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../admin/compose-form.test.js'))
