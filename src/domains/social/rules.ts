/** The small rules of the social domain, free of I/O. */

export const MAX_MESSAGE_LENGTH = 4000

/** One conversation per pair of users, whoever starts it. */
export function directKey(a: number, b: number): string {
  return a < b ? `${a}:${b}` : `${b}:${a}`
}

/** Trims a message; null when it is empty or too long. Inner spacing and newlines stay. */
export function normaliseMessage(content: unknown): string | null {
  if (typeof content !== 'string') return null
  const text = content.replace(/\r\n?/g, '\n').trim()
  if (!text || text.length > MAX_MESSAGE_LENGTH) return null
  return text
}

/**
 * A fixed one-second window counter: `take()` is true while fewer than `max`
 * were taken in the current second.
 */
export class WindowLimiter {
  private windowStart = 0
  private count = 0
  constructor(private readonly max: number) {}

  take(now = Date.now()): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now
      this.count = 0
    }
    if (this.count >= this.max) return false
    this.count++
    return true
  }
}
