/** What a user can do from a notification's toast or row without opening its page. */
import type { NotificationAction, NotificationKind } from '../../protocol.js'

export function actionsOf(_kind: NotificationKind, _thread: string | null): NotificationAction[] {
  return []
}
