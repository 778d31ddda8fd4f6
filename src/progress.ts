/**
 * Progress of long command-line work on a terminal: one line on stderr redrawn in
 * place (done of total, rate, time left), at most ten times a second. Not a
 * terminal (piped, redirected, CI): nothing at all, so the output stays machine-readable.
 */
export interface Progress {
  /** `done` items of the total so far, in the step named by `label`. */
  update(done: number, label: string): void
  /** Clears the line. */
  end(): void
}

const fmt = new Intl.NumberFormat('en')

/** "12 s", "3 min 20 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`
}

/** The progress line: `created 12,000 of 100,000 users (12%) · 8,400/s · 11 s left`. */
export function progressLine(label: string, done: number, total: number, seconds: number, noun = 'users'): string {
  const rate = seconds > 0 ? done / seconds : 0
  const left = rate > 0 ? duration((total - done) / rate) : '…'
  return `${label} ${fmt.format(done)} of ${fmt.format(total)} ${noun} (${Math.floor((done / total) * 100)}%) · ${fmt.format(Math.round(rate))}/s · ${left} left`
}

export function progress(total: number, stream: NodeJS.WriteStream = process.stderr, now: () => number = () => performance.now()): Progress {
  if (!stream.isTTY) return { update() {}, end() {} }
  let started = now()
  let last = started
  let step = ''
  let drawn = -Infinity
  return {
    update(done, label) {
      const at = now()
      // Each step has its own rate (creating rows and signing tokens go at different
      // speeds): a new one is timed from the previous step's last report.
      if (label !== step) {
        if (step) started = last
        step = label
      }
      last = at
      if (at - drawn < 100 && done < total) return
      drawn = at
      // \r and "erase line": the line is redrawn in place.
      stream.write(`\r\x1b[2K${progressLine(label, done, total, (at - started) / 1000)}`)
    },
    end() {
      if (drawn !== -Infinity) stream.write('\r\x1b[2K')
    },
  }
}
