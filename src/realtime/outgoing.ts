/**
 * A socket's frames go out in the order they were sent, although some are not ready
 * yet: a fragment that reads the database (a promise), or a place taken before the
 * frame was built (a Slot, push.ts). The first one not ready holds back the ones
 * after it. A socket is also held while its opening frames are read (the `initial`
 * snapshot), so that it gets them first. What is ready is written at once, in the
 * caller's turn of the event loop, so a long fan-out's writes count in its slices.
 */
import type { Client } from './client.js'

/**
 * An encoded frame: JSON text, or its UTF-8 bytes (a fan-out assembles each recipient's
 * frame from shared byte pieces, push.ts), written as a text frame either way.
 */
export type Encoded = string | Buffer

/** A place in a socket's frame order, filled later (`Outgoing.fill`); null sends nothing. */
export class Slot {
  value: Encoded | Promise<string | null> | null | undefined = undefined
}

export type Waiting = string | Promise<string | null> | Slot

export class Outgoing {
  private readonly draining = new WeakSet<Client>()

  constructor(
    private readonly write: (client: Client, data: Encoded) => boolean,
    private readonly log: { error(obj: object, msg: string): void },
  ) {}

  /** False when the frame was dropped right away (closed or too slow). */
  send(client: Client, data: string | Promise<string | null>): boolean {
    if (client.waiting === null && typeof data === 'string') return this.write(client, data)
    ;(client.waiting ??= []).push(data)
    this.flush(client)
    return true
  }

  /** Takes the socket's next place in line; the frames sent after it wait until it is filled. */
  reserve(client: Client): Slot {
    const slot = new Slot()
    ;(client.waiting ??= []).push(slot)
    return slot
  }

  fill(client: Client, slot: Slot, value: Encoded | Promise<string | null> | null): void {
    slot.value = value
    this.flush(client)
  }

  hold(client: Client): void {
    client.held = true
    client.waiting ??= []
  }

  release(client: Client): void {
    client.held = false
    this.flush(client)
  }

  /** Writes what is ready at the head of the line now; a promise there is awaited by `drain`. */
  private flush(client: Client): void {
    if (this.draining.has(client)) return
    while (!client.held && client.waiting?.length) {
      const head = client.waiting[0]!
      const value = head instanceof Slot ? head.value : head
      if (value === undefined) return
      if (value instanceof Promise) {
        void this.drain(client)
        return
      }
      client.waiting.shift()
      if (value !== null) this.write(client, value)
    }
    if (!client.held && client.waiting?.length === 0) client.waiting = null
  }

  private async drain(client: Client): Promise<void> {
    this.draining.add(client)
    try {
      while (!client.held && client.waiting?.length) {
        const head = client.waiting[0]!
        const value = head instanceof Slot ? head.value : head
        // A place not filled yet: its fill resumes the line.
        if (value === undefined) return
        let data: Encoded | null = null
        try {
          data = await value
        } catch (err) {
          this.log.error({ err }, 'hub failed to render a frame')
        }
        client.waiting.shift()
        if (data !== null) this.write(client, data)
      }
      if (!client.held && client.waiting?.length === 0) client.waiting = null
    } finally {
      this.draining.delete(client)
    }
  }
}
