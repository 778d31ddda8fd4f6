// test/billing/note-documents.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../billing/note-documents.test.js'))
