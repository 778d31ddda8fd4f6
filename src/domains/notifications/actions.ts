/**
 * What a user can do from a notification's toast or row without opening its page,
 * from its kind and thread alone (the same for every recipient, so a fan-out renders
 * it once). Each target route marks the notification read when it succeeds
 * (readThreadIn) and answers 409 when the thing was already answered or paid.
 */
import type { NotificationAction, NotificationKind } from '../../protocol.js'

/** `<type>:<id>` with a positive integer id, else null. */
function threadId(thread: string | null, type: string): number | null {
  const m = thread ? /^([a-z]+):([1-9]\d{0,15})$/.exec(thread) : null
  return m && m[1] === type ? Number(m[2]) : null
}

export function actionsOf(kind: NotificationKind, thread: string | null): NotificationAction[] {
  if (kind === 'friend_request') {
    const from = threadId(thread, 'user')
    if (from === null) return []
    return [
      { id: 'accept', label: 'Accept', method: 'POST', url: `/api/friends/accept-from/${from}` },
      { id: 'decline', label: 'Decline', method: 'POST', url: `/api/friends/decline-from/${from}` },
    ]
  }
  if (kind === 'invoice_overdue') {
    const invoice = threadId(thread, 'invoice')
    return invoice === null ? [] : [{ id: 'mark_paid', label: 'Mark paid', method: 'POST', url: `/api/billing/invoices/${invoice}/paid` }]
  }
  if (kind === 'comment') {
    const post = threadId(thread, 'post')
    return post === null ? [] : [{ id: 'reply', label: 'Reply', method: 'GET', url: `/blog/posts/${post}#comment-form-${post}` }]
  }
  return []
}

