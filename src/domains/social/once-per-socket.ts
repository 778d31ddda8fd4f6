/**
 * Each message reaches a socket once. A `send_message` that repeats a stored
 * client_id is answered with the stored message (the echo) only when this socket
 * did not get, and is not about to get, that message's push. The push goes to
 * every socket the user has open when it is delivered: a socket that repeats a
 * send racing with another path (its HTTP fallback, another process) gets the
 * push, so an echo would be a second copy; a socket opened after the push needs
 * the echo.
 *
 * The live renderer reports each push as the hub writes it (`pushed`, with the
 * sockets it goes to). A repeat of a message this socket got is dropped. A repeat
 * of a message younger than `windowMs` whose push has not reached this socket
 * waits for that push until the message is `windowMs` old, then echoes; pushes
 * slower than `windowMs` would still arrive twice.
 */
export class OncePerSocket<Socket extends object> {
  /** How long after a message was stored its push may still be on the way. */
  windowMs = 2000
  /** Message ids each socket got lately (pushes and echoes), oldest first. */
  private readonly got = new WeakMap<Socket, Set<number>>()
  /** Echoes held for a push: message id -> socket -> its timer. */
  private readonly held = new Map<number, Map<Socket, NodeJS.Timeout>>()
  private static readonly REMEMBERED = 100

  /** The hub is writing this message to these sockets. */
  pushed(messageId: number, sockets: Iterable<Socket>): void {
    const held = this.held.get(messageId)
    for (const socket of sockets) {
      this.remember(socket, messageId)
      const timer = held?.get(socket)
      if (timer) {
        clearTimeout(timer)
        held!.delete(socket)
      }
    }
    if (held?.size === 0) this.held.delete(messageId)
  }

  /** This socket repeated a stored message: `echo` it, unless the socket gets its push. */
  repeated(socket: Socket, message: { id: number; created_at: string }, echo: () => void, now = Date.now()): void {
    if (this.got.get(socket)?.has(message.id)) return
    const wait = Date.parse(message.created_at) + this.windowMs - now
    if (wait <= 0) return this.echo(socket, message.id, echo)
    let held = this.held.get(message.id)
    if (!held) this.held.set(message.id, (held = new Map()))
    if (held.has(socket)) return
    held.set(
      socket,
      setTimeout(() => {
        held.delete(socket)
        if (held.size === 0) this.held.delete(message.id)
        this.echo(socket, message.id, echo)
      }, wait),
    )
  }

  /** Shutdown: drops every held echo. */
  clear(): void {
    for (const held of this.held.values()) for (const timer of held.values()) clearTimeout(timer)
    this.held.clear()
  }

  private echo(socket: Socket, messageId: number, echo: () => void) {
    this.remember(socket, messageId)
    echo()
  }

  private remember(socket: Socket, messageId: number) {
    let ids = this.got.get(socket)
    if (!ids) this.got.set(socket, (ids = new Set()))
    ids.add(messageId)
    if (ids.size > OncePerSocket.REMEMBERED) ids.delete(ids.values().next().value!)
  }
}
