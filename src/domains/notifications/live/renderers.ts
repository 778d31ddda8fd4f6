/**
 * The fragments riding on notification frames: the navbar badges, the toast and
 * the inbox row, from the same partials as the pages.
 */
import { randomUUID } from 'node:crypto'
import type { Counts, NotificationDTO } from '../../../protocol.js'
import type { PushContent } from '../../../realtime/content.js'

/** Stands for a notification id while its HTML is rendered once for many users; nothing else can contain it. */
const ID_PLACEHOLDER = `\u0000${randomUUID()}\u0000`

export function registerRenderers(content: PushContent): void {
  // Badges depend on the two counts only: rendered once per pair, then reused.
  const badgeCache = new Map<string, string>()
  const badges = (frame: Counts) => {
    const key = `${frame.unread_count}:${frame.unread_messages_count}`
    let html = badgeCache.get(key)
    if (html === undefined) {
      if (badgeCache.size >= 512) badgeCache.clear()
      html = content.partial('partials/badges', { counts: frame, oob: true })
      badgeCache.set(key, html)
    }
    return html
  }
  // A fan-out sends one notification to many users, differing only in id: the
  // toast and row are rendered once with a placeholder id, then the id is put in.
  // Nothing per user goes in them (a recipient's alert only decides whether the toast is sent).
  // The row goes into the inbox lists that take its category (data-live). Toast and row carry
  // only their controls' shell (`lazy`), which public/app.js fills on arrival: a smaller frame.
  let shared: { key: string; toast: string[]; row: string[] } | null = null
  const toastAndRow = (n: NotificationDTO, toast: boolean) => {
    const key = JSON.stringify({ ...n, id: 0 })
    if (shared?.key !== key) {
      const placeholder = { ...n, id: ID_PLACEHOLDER as unknown as number }
      const oob = `afterbegin:#notification-list[data-live~=${n.category}]`
      shared = {
        key,
        toast: content.partial('partials/toast-oob', { n: placeholder, lazy: true }).split(ID_PLACEHOLDER),
        row: content.partial('partials/notification-row', { n: placeholder, oob, lazy: true }).split(ID_PLACEHOLDER),
      }
    }
    const id = String(n.id)
    return (toast ? shared.toast.join(id) : '') + shared.row.join(id)
  }
  content.on('initial', badges)
  content.on('count_update', badges)
  content.on('notification_state', badges)
  content.on('notification', (frame) => toastAndRow(frame.notification, frame.alert?.toast !== false) + badges(frame))
}
