/**
 * What every accepted socket gets first: the `initial` snapshot, then with
 * `since=<id>` every notification it missed (oldest first). The socket then has
 * everything up to its `last_id`, so pushes of rows committed before it opened
 * (delivered after) are not sent again.
 */
import type { FastifyRequest } from 'fastify'
import type { InitialFrame } from '../../../protocol.js'
import type { Client } from '../../../realtime/hub.js'
import type { FrameContext } from '../../../realtime/frames.js'
import { RECENT_LIMIT, type NotificationService } from '../service.js'
import type { NotificationPush } from './push.js'

/** Parses `since=`; undefined when absent, null when malformed. */
function parseSince(value: unknown): number | undefined | null {
  if (value === undefined || value === '') return undefined
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null
  return Number(value)
}

export function snapshotOnOpen(service: NotificationService, push: NotificationPush) {
  return /*@A*/async (client: Client, request: FastifyRequest, ctx: FrameContext) => {
    const { userId } = client
    const since = parseSince((request.query as { since?: unknown }).since)
    // Read first: every row up to it is in the snapshot's reach. A row committed
    // while the snapshot is read is in it (recent) or still pushed.
    const lastId = await service.lastId(userId)
    const recent = await service.list(userId, { limit: RECENT_LIMIT })
    const replay = typeof since === 'number' ? await service.since(userId, since) : null
    const counts = await service.counts(userId)
    const initial: InitialFrame = {
      type: 'initial',
      ...counts,
      recent_notifications: recent,
      last_id: Math.max(lastId, recent[0]?.id ?? 0),
      replay_truncated: replay?.truncated ?? false,
    }
    ctx.reply(initial)
    if (since === null) ctx.error('invalid', 'since must be a notification id; nothing was replayed')
    for (const notification of replay?.notifications ?? []) push.sendOnce(client, notification, counts)
    client.delivered.complete(lastId)
    for (const n of recent) client.delivered.first(n.id)
  }
}
