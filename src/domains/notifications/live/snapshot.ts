/**
 * What every accepted socket gets first: the `initial` snapshot, then with
 * `since=<id>` every notification it missed (oldest first). The socket then has
 * everything up to its `last_id`, so pushes of rows committed before it opened
 * (delivered after) are not sent again. The socket is held until this is sent:
 * frames for it meanwhile go out after.
 */
import type { FastifyRequest } from 'fastify'
import type { InitialFrame } from '../../../protocol.js'
import type { Client, Hub } from '../../../realtime/hub.js'
import type { OpenHandler } from '../../../realtime/socket-route.js'
import { RECENT_LIMIT, type NotificationService } from '../service.js'
import type { NotificationPush } from './push.js'

/** Parses `since=`; undefined when absent, null when malformed. */
function parseSince(value: unknown): number | undefined | null {
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null
  return Number(value)
}

export function snapshotOnOpen(hub: Hub, service: NotificationService, push: NotificationPush): OpenHandler {
  return async (client: Client, request: FastifyRequest) => {
    const { userId } = client
    const since = parseSince((request.query as { since?: unknown }).since)
    // The client has every row up to since= (0: none): a push of one of them taken while
    // this is read (a late copy from the bus) would be a repeat. Before the first await: the
    // socket route runs this (its only open handler) in the turn it registers the socket.
    const had = typeof since === 'number' ? since : 0
    client.delivered.complete(had)
    // Read first: every row up to it is in the snapshot's reach. A row committed
    // while the snapshot is read is in it (recent) or still pushed.
    const lastId = await service.lastId(userId)
    const recent = await service.list(userId, { limit: RECENT_LIMIT })
    const replay = typeof since === 'number' ? await service.since(userId, since) : null
    const counts = await service.counts(userId)
    // The socket is held meanwhile: a push taken by it while this was read waits to
    // go out right after, so it is left out here (the client adds it on arrival).
    // (Rows at or below since= are in `delivered` as the client's own: they stay in the list.)
    const fresh = recent.filter((n) => n.id <= had || !client.delivered.has(n.id))
    const initial: InitialFrame = {
      type: 'initial',
      ...counts,
      recent_notifications: fresh,
      last_id: Math.max(lastId, recent[0]?.id ?? 0),
      replay_truncated: replay?.truncated ?? false,
    }
    hub.sendAhead(client, initial)
    if (since === null) hub.sendAhead(client, { type: 'error', code: 'invalid', message: 'since must be a notification id; nothing was replayed' })
    for (const notification of replay?.notifications ?? []) await push.sendOnce(client, notification, counts, true)
    client.delivered.complete(lastId)
    for (const n of recent) client.delivered.first(n.id)
  }
}
