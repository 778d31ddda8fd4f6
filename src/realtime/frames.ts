/**
 * Client frames: each type is registered by whoever handles it (the transport's
 * ping and topic frames, a domain's own), checked against its schema in the
 * protocol, then handed to its handler.
 */
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { clientFrameSchemas, type ClientFrame, type ClientFrameType, type ErrorCode, type ServerFrame } from '../protocol.js'
import type { Client, Hub } from './hub.js'

export interface FrameContext {
  client: Client
  hub: Hub
  /** Sends a frame to this socket only. */
  reply(frame: ServerFrame): void
  /** Sends an `error` frame; the socket stays open. */
  error(code: ErrorCode, message: string): void
}

type Handler<T extends ClientFrameType> = (frame: ClientFrame<T>, ctx: FrameContext) => void | Promise<void>

interface Registered {
  check: ReturnType<typeof Compile<TSchema>>
  handler: Handler<ClientFrameType>
}

/**
 * Who may join which live topic: a domain allows a prefix (`post:`) with a check
 * (can this user see post 4?). Topics without an allowing prefix are refused.
 */
export class TopicPolicy {
  private readonly rules = new Map<string, (userId: number, id: string) => boolean | Promise<boolean>>()

  allow(prefix: string, check: (userId: number, id: string) => boolean | Promise<boolean>): void {
    this.rules.set(prefix, check)
  }

  async permits(userId: number, topic: string): Promise<boolean> {
    const colon = topic.indexOf(':')
    if (colon <= 0) return false
    const rule = this.rules.get(topic.slice(0, colon + 1))
    return rule ? rule(userId, topic.slice(colon + 1)) : false
  }
}

/** The registry of client frame types: the core's below, others from domains. */
export class FrameRouter {
  private readonly handlers = new Map<string, Registered>()

  on<T extends ClientFrameType>(type: T, handler: Handler<T>): void {
    if (this.handlers.has(type)) throw new Error(`frame type ${type} is already handled`)
    this.handlers.set(type, { check: Compile(clientFrameSchemas[type] as TSchema), handler: handler as Handler<ClientFrameType> })
  }

  async dispatch(raw: string, ctx: FrameContext): Promise<void> {
    let frame: unknown
    try {
      frame = JSON.parse(raw)
    } catch {
      return ctx.error('bad_json', 'Frames must be JSON objects')
    }
    if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) {
      return ctx.error('bad_json', 'Frames must be JSON objects')
    }
    const type = (frame as { type?: unknown }).type
    const entry = typeof type === 'string' ? this.handlers.get(type) : undefined
    if (!entry) return ctx.error('unknown_type', `Unknown frame type ${JSON.stringify(type ?? null).slice(0, 40)}`)
    if (!entry.check.Check(frame)) {
      const first = [...entry.check.Errors(frame)][0]
      const where = first?.instancePath ? `${first.instancePath.slice(1)}: ` : ''
      return ctx.error('invalid', `Invalid ${type} frame: ${where}${first?.message ?? 'does not match the schema'}`)
    }
    await entry.handler(frame as ClientFrame<ClientFrameType>, ctx)
  }
}
