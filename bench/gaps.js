/**
 * node --import ./bench/gaps.js ...: logs every event-loop gap longer than
 * BENCH_GAP_MS (default 30) to stderr as `event-loop gap <ms> ms ending at <µs>`, the time
 * in microseconds of the monotonic clock that `--cpu-prof` profiles use, so that
 * `bench/profile-gaps.js` can show what the profile sampled in each gap. With the
 * benchmark: `BENCH_SERVER_ARGS="--import ./bench/gaps.js" npm run bench -- --cpu-prof`
 * (the gaps land in bench/results/logs/). A 5 ms timer measures its own lateness: the
 * process may have been busy or off a core.
 */
const limit = Number(process.env.BENCH_GAP_MS ?? 30)
let last = process.hrtime.bigint()
setInterval(() => {
  const now = process.hrtime.bigint()
  const gap = Number(now - last) / 1e6
  if (gap > limit) process.stderr.write(`event-loop gap ${gap.toFixed(1)} ms ending at ${now / 1000n}\n`)
  last = now
}, 5).unref()
