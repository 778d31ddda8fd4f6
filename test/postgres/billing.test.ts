// The test/billing/ files below, run again on PostgreSQL in one process (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(
  () => import('../billing/documents.test.js'),
  () => import('../billing/gstr1.test.js'),
  () => import('../billing/invoices.test.js'),
  () => import('../billing/ledger.test.js'),
  () => import('../billing/note-documents.test.js'),
  () => import('../billing/notes.test.js'),
  () => import('../billing/overdue.test.js'),
)
