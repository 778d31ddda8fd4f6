/**
 * Runs the overdue check at start and then every `intervalMs` (0: only at
 * start). The timer is unref'd, so it never keeps the process alive; a failed
 * run (e.g. the database busy past busy_timeout) is logged and retried next tick.
 * Claiming is done by the service, so any number of processes may run this.
 */
export interface SchedulerLog {
  info(obj: object, msg: string): void
  error(obj: object, msg: string): void
}

/** Resolves once the check at start has run. */
export async function startOverdueScheduler({ run, intervalMs, log }: { run: () => Promise<number>; intervalMs: number; log: SchedulerLog }) {
  let stopped = false
  const tick = async () => {
    if (stopped) return
    try {
      const notified = await run()
      if (notified) log.info({ notified }, 'overdue invoices notified')
    } catch (err) {
      log.error({ err }, 'overdue invoice check failed')
    }
  }
  await tick()
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : null
  timer?.unref()
  return {
    stop() {
      stopped = true
      if (timer) clearInterval(timer)
    },
  }
}
