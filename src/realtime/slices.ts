/**
 * Long loops over sockets (a fan-out, a heartbeat round) yield to the event loop:
 * a write to a loopback socket costs ~40-80 µs here, so 500 of them in a row block
 * it for 40 ms (bench/README.md).
 */

/** Yield after this many items at most... */
const CHUNK = 500
/** ...or sooner, once a slice took this long. */
const SLICE_MS = 10

export class Slicer {
  private start = performance.now()

  /** Resolves at once (undefined) unless item `i` should wait for the next turn of the loop. */
  pause(i: number): Promise<void> | undefined {
    if (i === 0 || (i % CHUNK !== 0 && (i % 25 !== 0 || performance.now() - this.start <= SLICE_MS))) return undefined
    return this.next()
  }

  /** The next turn of the loop if this slice has run its time already (before a read that would add to it). */
  due(): Promise<void> | undefined {
    return performance.now() - this.start > SLICE_MS ? this.next() : undefined
  }

  /** The next turn of the loop, whatever this slice took; a new slice starts there. */
  next(): Promise<void> {
    return new Promise<void>((resolve) =>
      setImmediate(() => {
        this.start = performance.now()
        resolve()
      }),
    )
  }
}
