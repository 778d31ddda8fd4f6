// test/scale/two-processes.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../scale/two-processes.test.js'))
