// test/scale/shared-state.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../scale/shared-state.test.js'))
