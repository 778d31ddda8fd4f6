/**
 * The views of the inbox page (tabs: All, Unread, one per category, Archived, Snoozed),
 * their addresses and their empty states. Pure: the page routes and views use them.
 */
import { CATEGORIES, type Category } from './inbox-rules.js'
import type { InboxStatus } from './listing.js'

export interface InboxView {
  status?: InboxStatus
  category?: Category
}

export interface Tab {
  label: string
  view: InboxView
  /** Shows the unread count of the view (the inbox views do; Archived and Snoozed hold read rows). */
  counted: 'all' | Category | null
}

const LABELS: Record<Category, string> = { blog: 'Blog', billing: 'Billing', social: 'Social', system: 'System' }

export const TABS: readonly Tab[] = [
  { label: 'All', view: {}, counted: 'all' },
  { label: 'Unread', view: { status: 'unread' }, counted: 'all' },
  ...CATEGORIES.map((category): Tab => ({ label: LABELS[category], view: { category }, counted: category })),
  { label: 'Archived', view: { status: 'archived' }, counted: null },
  { label: 'Snoozed', view: { status: 'snoozed' }, counted: null },
]

/** The view a query names; `unread=1` (older links) is the Unread view. */
export function viewOf(query: { status?: InboxStatus; category?: Category; unread?: string }): InboxView {
  const view: InboxView = {}
  if (query.status) view.status = query.status
  else if (query.unread === '1' || query.unread === 'true') view.status = 'unread'
  if (query.category) view.category = query.category
  return view
}

export const sameView = (a: InboxView, b: InboxView) => a.status === b.status && a.category === b.category

/** `/notifications?status=unread&before=9`, without empty parts. */
export function viewPath(view: InboxView, paging: { before?: number; after?: number } = {}): string {
  const params = new URLSearchParams()
  if (view.status) params.set('status', view.status)
  if (view.category) params.set('category', view.category)
  if (paging.before) params.set('before', String(paging.before))
  if (paging.after) params.set('after', String(paging.after))
  const query = params.toString()
  return query ? `/notifications?${query}` : '/notifications'
}

/** Whether new notifications of these categories are pushed into the view's first page (none for Archived, Snoozed, Read). */
export function liveCategories(view: InboxView): Category[] {
  if (view.status && view.status !== 'unread') return []
  return view.category ? [view.category] : [...CATEGORIES]
}

export function emptyState(view: InboxView): string {
  if (view.status === 'archived') return 'Nothing done yet. Notifications you mark done are kept here.'
  if (view.status === 'snoozed') return 'Nothing snoozed. A snoozed notification waits here until its time, then comes back unread.'
  const what = view.category ? `${LABELS[view.category].toLowerCase()} notifications` : 'notifications'
  if (view.status === 'unread') return `No unread ${what}.`
  if (view.status === 'read') return `No read ${what}.`
  return view.category ? `No ${what} yet.` : 'Nothing here yet. New notifications appear at once.'
}
