/** The accounts domain's bus events. */
import type {} from '../../realtime/bus.js'

declare module '../../realtime/bus.js' {
  interface BusEvents {
    /** A login was revoked: its sockets close with 4401, on every process. */
    session_revoked: { sessionId: string; userId: number }
  }
}
