/**
 * A socket's frames go out in the order they were sent, although some are still
 * being rendered (a fragment that reads the database is a promise): a pending
 * frame holds back the ones after it. A socket is also held while its opening
 * frames are read (the `initial` snapshot), so that it gets them first.
 */
import type { Client } from './client.js'

export class Outgoing {
  private readonly draining = new WeakSet<Client>()

  constructor(
    private readonly write: (client: Client, data: string) => boolean,
    private readonly log: { error(obj: object, msg: string): void },
  ) {}

  /** False when the frame was dropped right away (closed or too slow). */
  /** A promise holds the socket's later frames until it settles; one that settles null sends nothing. */
  send(client: Client, data: string | Promise<string | null>): boolean {
    if (client.waiting === null && typeof data === 'string') return this.write(client, data)
    ;(client.waiting ??= []).push(data)
    void this.drain(client)
    return true
  }

  hold(client: Client): void {
    client.held = true
    client.waiting ??= []
  }

  release(client: Client): void {
    client.held = false
    void this.drain(client)
  }

  private async drain(client: Client): Promise<void> {
    if (this.draining.has(client)) return
    this.draining.add(client)
    try {
      while (!client.held && client.waiting?.length) {
        let data: string | null = null
        try {
          data = await client.waiting[0]!
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
