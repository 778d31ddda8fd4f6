// test/cli/cli.test.ts on PostgreSQL (harness.ts).
import { onPostgres } from './harness.js'

await onPostgres(() => import('../cli/cli.test.js'))
