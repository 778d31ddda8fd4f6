/**
 * Typing indicators: ephemeral, never stored. A `typing` frame from a socket is
 * relayed (through the bus, so other processes' sockets get it) to the other
 * members of the conversation. The process that received the last `is_typing:
 * true` of a (user, conversation) holds a timer and sends `is_typing: false`
 * `timeoutMs` (3 s) after it, unless the user stops or sends a message first.
 *
 * Rate limit: at most `maxPerSecond` (3) `is_typing: true` frames per socket
 * and second are relayed; extra ones are dropped silently (they still keep the
 * indicator alive by pushing its timer back). `is_typing: false` is relayed only
 * when that user was shown as typing, so it can never outnumber the relayed trues.
 */
import type { PublicUser, TypingFrame } from '../../../protocol.js'
import { WindowLimiter } from '../rules.js'

export interface TypingOptions {
  /** Sends a frame to every socket of these users (on any process). */
  publish(userIds: number[], frame: TypingFrame): void
  timeoutMs?: number
  maxPerSecond?: number
}

interface Active {
  timer?: NodeJS.Timeout
  user: PublicUser
  recipients: number[]
}

export type TypingOutcome = 'relayed' | 'refreshed' | 'dropped' | 'ignored'

export class TypingRelay {
  timeoutMs: number
  maxPerSecond: number
  private readonly active = new Map<string, Active>()
  private readonly limiters = new WeakMap<object, WindowLimiter>()

  constructor(private readonly opts: TypingOptions) {
    this.timeoutMs = opts.timeoutMs ?? 3000
    this.maxPerSecond = opts.maxPerSecond ?? 3
  }

  /**
   * A typing frame from one socket (`source` identifies the socket for the rate
   * limit). `recipients` are the other members of the conversation.
   */
  handle(source: object, user: PublicUser, conversationId: number, isTyping: boolean, recipients: number[]): TypingOutcome {
    const key = `${user.id}:${conversationId}`
    const current = this.active.get(key)
    if (!isTyping) {
      if (!current) return 'ignored'
      this.stop(key)
      return 'relayed'
    }
    let limiter = this.limiters.get(source)
    if (!limiter) this.limiters.set(source, (limiter = new WindowLimiter(this.maxPerSecond)))
    if (!limiter.take()) {
      if (current) this.arm(key, current)
      return current ? 'refreshed' : 'dropped'
    }
    const entry: Active = current ?? { user, recipients }
    entry.recipients = recipients
    this.arm(key, entry)
    this.active.set(key, entry)
    if (recipients.length) this.opts.publish(recipients, { type: 'typing', conversation_id: conversationId, user, is_typing: true })
    return 'relayed'
  }

  /** The user sent a message: their indicator goes at once. */
  messageSent(userId: number, conversationId: number): void {
    const key = `${userId}:${conversationId}`
    if (this.active.has(key)) this.stop(key)
  }

  isTyping(userId: number, conversationId: number): boolean {
    return this.active.has(`${userId}:${conversationId}`)
  }

  /** Shutdown: forget every timer without sending anything. */
  clear(): void {
    for (const entry of this.active.values()) clearTimeout(entry.timer)
    this.active.clear()
  }

  private arm(key: string, entry: Active) {
    if (entry.timer) clearTimeout(entry.timer)
    entry.timer = setTimeout(() => this.stop(key), this.timeoutMs)
    entry.timer.unref()
  }

  private stop(key: string) {
    const entry = this.active.get(key)
    if (!entry) return
    clearTimeout(entry.timer)
    this.active.delete(key)
    const conversationId = Number(key.slice(key.indexOf(':') + 1))
    if (entry.recipients.length) {
      this.opts.publish(entry.recipients, { type: 'typing', conversation_id: conversationId, user: entry.user, is_typing: false })
    }
  }
}
