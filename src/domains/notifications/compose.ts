/** The rules of a notification composed by an administrator (form and API alike). */
import { NOTIFICATION_KINDS, type NotificationKind } from '../../protocol.js'
import { hasErrors, type FieldErrors } from '../../errors.js'
import type { NotificationInput } from './service.js'

/** A path on this site (`/blog`), not `//elsewhere` or `/\\elsewhere`. */
export function isSameSitePath(url: string): boolean {
  return /^\/(?![/\\])/.test(url)
}

/** Relative paths on this site or http(s) URLs; never `javascript:` and friends. */
export function isSafeLink(url: string): boolean {
  if (isSameSitePath(url)) return true
  try {
    const u = new URL(url)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

/** Checks the fields of a composed notification; errors keyed by field name. */
export function validateNotification(fields: {
  title?: string
  message?: string
  kind?: string
  link_url?: string | null
  link_text?: string | null
}): { input: NotificationInput } | { errors: FieldErrors } {
  const errors: FieldErrors = {}
  const title = (fields.title ?? '').trim()
  const message = (fields.message ?? '').trim()
  const kind = (fields.kind || 'system') as NotificationKind
  const linkUrl = (fields.link_url ?? '').trim() || null
  const linkText = (fields.link_text ?? '').trim() || null
  if (!title) errors.title = 'A title is required.'
  else if (title.length > 200) errors.title = 'At most 200 characters.'
  if (message.length > 2000) errors.message = 'At most 2000 characters.'
  if (!NOTIFICATION_KINDS.includes(kind)) errors.kind = `One of ${NOTIFICATION_KINDS.join(', ')}.`
  if (linkUrl && (linkUrl.length > 500 || !isSafeLink(linkUrl))) errors.link_url = 'A path like /blog or an http(s) URL.'
  if (linkText && linkText.length > 100) errors.link_text = 'At most 100 characters.'
  if (hasErrors(errors)) return { errors }
  return { input: { kind, title, message, linkUrl, linkText } }
}
