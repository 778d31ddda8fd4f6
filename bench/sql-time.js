/**
 * node --import ./bench/sql-time.js <script>: times every better-sqlite3 statement the
 * process runs and prints, at exit, the statements by total time (calls, µs per call,
 * the start of the SQL; BENCH_SQL_WIDTH characters of it, default 160) to stderr. Wall
 * time of each run, its file locking included. E.g. with
 * `node --import ./bench/sql-time.js --expose-gc bench/http-cost.js dist 3000 --sockets --lanes 1`.
 */
import { createRequire } from 'node:module'

const Database = createRequire(import.meta.url)('better-sqlite3')
const width = Number(process.env.BENCH_SQL_WIDTH ?? 160)
const stats = new Map()
const probe = new Database(':memory:')
const Statement = Object.getPrototypeOf(probe.prepare('select 1'))
probe.close()
for (const method of ['all', 'get', 'run', 'iterate']) {
  const original = Statement[method]
  Statement[method] = function (...args) {
    const start = process.hrtime.bigint()
    try {
      return original.apply(this, args)
    } finally {
      const key = this.source.replace(/\s+/g, ' ').trim().slice(0, width)
      const s = stats.get(key) ?? { calls: 0, ns: 0 }
      s.calls++
      s.ns += Number(process.hrtime.bigint() - start)
      stats.set(key, s)
    }
  }
}
process.on('exit', () => {
  const rows = [...stats].sort((a, b) => b[1].ns - a[1].ns).slice(0, 25)
  process.stderr.write('\n    ms    calls  µs/call  statement\n')
  for (const [sql, s] of rows) process.stderr.write(`${(s.ns / 1e6).toFixed(0).padStart(6)} ${String(s.calls).padStart(8)} ${(s.ns / s.calls / 1000).toFixed(1).padStart(8)}  ${sql}\n`)
})
