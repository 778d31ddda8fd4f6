/** The notifications domain's bus events, handled on every process by live/push.ts. */
import type {} from '../../realtime/bus.js'
import type { NotificationDTO, NotificationStateFrame } from '../../protocol.js'

/** A notification as every recipient sees it, less its per-recipient id. */
export type NotificationTemplate = Omit<NotificationDTO, 'id' | 'read'>

/** What changed in a user's rows: the `notification_state` frame less the counts (each process reads those). */
export type StateChange = Pick<NotificationStateFrame, 'ids' | 'all' | 'read' | 'archived' | 'snoozed_until'>

declare module '../../realtime/bus.js' {
  interface BusEvents {
    /**
     * Rows created for these users: [userId, notificationId]. `updated`: existing rows
     * rewritten under the same id (grouping), pushed again even to sockets that saw the id.
     */
    notify: { template: NotificationTemplate; recipients: Array<[number, number]>; updated?: boolean }
    /** One row per user, ids in [fromId, toId]: a notification to everyone, one publish. */
    notify_all: { template: NotificationTemplate; fromId: number; toId: number }
    /** Unread counts of these users changed for another reason (read, read-all, message read, delete). */
    counts: { userIds: number[] }
    /** Rows of one user changed state (read, archived, snoozed, back from a snooze). */
    notification_state: { userId: number; change: StateChange }
    /** Snoozed rows came back unread: [userId, notificationId], each claimed by one process once. */
    resurface: { recipients: Array<[number, number]> }
    /** This user's quiet hours ended: `count` notifications arrived during them. */
    away_summary: { userId: number; count: number }
  }
}
