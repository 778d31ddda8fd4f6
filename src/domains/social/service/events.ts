import type { Outbox } from '../../../db/transact.js'
import type { ServerFrame, TopicFrame } from '../../../protocol.js'

/** The `topic_event` frames social sends to users beyond the protocol's own frames. */
export const SOCIAL_TOPIC = 'social'

export type FriendsChangedReason = 'requested' | 'accepted' | 'declined' | 'cancelled' | 'removed'

export type SocialEvent =
  | { event: 'friends_changed'; data: { reason: FriendsChangedReason; user_id: number } }
  | { event: 'messages_read'; data: { conversation_id: number; user_id: number; last_read_message_id: number } }

export function socialFrame(e: SocialEvent): TopicFrame {
  return { type: 'topic_event', topic: SOCIAL_TOPIC, event: e.event, data: e.data }
}

/** A frame for every socket of these users, published after commit. */
export function pushFrame(outbox: Outbox, userIds: number[], frame: ServerFrame): void {
  if (userIds.length) outbox.push({ type: 'frame', userIds, frame })
}

export function pushFriendsChanged(outbox: Outbox, userId: number, reason: FriendsChangedReason, otherId: number): void {
  pushFrame(outbox, [userId], socialFrame({ event: 'friends_changed', data: { reason, user_id: otherId } }))
}
