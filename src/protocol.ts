/**
 * The one place that knows the shape of every WebSocket frame of the wire protocol
 * (docs/protocol.md describes it in prose). Servers build frames with these types;
 * tests import them.
 */
import Type, { type Static, type TSchema } from 'typebox'

// ---------------------------------------------------------------- objects

export interface PublicUser {
  id: number
  username: string
  first_name: string
  last_name: string
}

export type NotificationKind =
  | 'comment'
  | 'like'
  | 'friend_request'
  | 'friend_accepted'
  | 'new_message'
  | 'invoice_created'
  | 'invoice_paid'
  | 'invoice_overdue'
  | 'system'

export const NOTIFICATION_KINDS: readonly NotificationKind[] = [
  'comment',
  'like',
  'friend_request',
  'friend_accepted',
  'new_message',
  'invoice_created',
  'invoice_paid',
  'invoice_overdue',
  'system',
]

export interface NotificationDTO {
  id: number
  kind: NotificationKind
  title: string
  message: string
  link_url: string | null
  link_text: string | null
  icon: string | null
  actor: { id: number; username: string } | null
  created_at: string
  read: boolean
  /** Inbox state: blog (comment, like), billing (invoice_*), social (friend_*, new_message), system. */
  category: NotificationCategory
  /** What it is about, `<type>:<id>` (`post:4`), or null; mutes name a thread. */
  thread: string | null
  archived: boolean
  /** ISO time it comes back, while snoozed. */
  snoozed_until: string | null
  /** What the user can do from the toast or row; empty when none. */
  actions: NotificationAction[]
}

export type NotificationCategory = 'blog' | 'billing' | 'social' | 'system'

export interface NotificationAction {
  id: string
  label: string
  method: 'GET' | 'POST'
  url: string
}

/** Whether the user's preferences and quiet hours let a notification show itself. */
export interface Alert {
  toast: boolean
  desktop: boolean
}

export interface Counts {
  unread_count: number
  unread_messages_count: number
}

// ---------------------------------------------------------------- server -> client

export interface InitialFrame extends Counts {
  type: 'initial'
  recent_notifications: NotificationDTO[]
  last_id: number
  replay_truncated: boolean
}
export interface NotificationFrame extends Counts {
  type: 'notification'
  notification: NotificationDTO
  alert: Alert
  /** A snoozed notification came back (unread). */
  resurfaced?: true
}
/** Rows of this user changed state (read, archived, snoozed), from any tab or process. */
export interface NotificationStateFrame extends Counts {
  type: 'notification_state'
  ids?: number[]
  all?: true
  read?: boolean
  archived?: boolean
  snoozed_until?: string | null
}
export interface CountUpdateFrame extends Counts {
  type: 'count_update'
}
/**
 * Addition beyond PROTOCOL.md: quiet hours ended and `count` notifications arrived
 * during them (they showed nothing); one toast instead of `count`.
 */
export interface AwaySummaryFrame extends Counts {
  type: 'away_summary'
  count: number
  /** "N notifications arrived while you were away" */
  message: string
}
export interface FriendRequestFrame {
  type: 'friend_request'
  data: { request_id: number; from_user: PublicUser; created_at: string }
}
export interface FriendAcceptedFrame {
  type: 'friend_accepted'
  data: { friend: PublicUser }
}
export interface NewMessageFrame {
  type: 'new_message'
  data: {
    id: number
    conversation_id: number
    client_id: string
    sender: PublicUser
    content: string
    created_at: string
  }
}
export interface TypingFrame {
  type: 'typing'
  conversation_id: number
  user: PublicUser
  is_typing: boolean
}
export interface PresenceFrame {
  type: 'presence'
  user_id: number
  online: boolean
}
export interface PongFrame {
  type: 'pong'
  ts: number | string | null
}
export type ErrorCode = 'bad_json' | 'unknown_type' | 'invalid' | 'forbidden' | 'rate_limited'
export interface ErrorFrame {
  type: 'error'
  code: ErrorCode
  message: string
}
/** Additions beyond PROTOCOL.md: a page's live topic (e.g. a blog post's thread). */
export interface TopicFrame {
  type: 'topic_event'
  topic: string
  event: string
  data: unknown
}

/**
 * Addition beyond PROTOCOL.md: one process's operating figures (admins following the
 * `ops:live` topic, i.e. the /admin/live page). Rates and quantiles cover the interval
 * since the previous sample of the same process.
 */
export interface OpsSample {
  /** The process: `<host>:<pid>`, unique among the processes sharing the bus. */
  source: string
  /** WORKERS=N worker number, else null. */
  worker: number | null
  /** ms since epoch. */
  t: number
  sockets: number
  users: number
  deliveriesPerSecond: number
  /** Delivery latency (publish -> written to the sockets) over the interval; null without deliveries. */
  p50Ms: number | null
  p99Ms: number | null
  eventLoopP99Ms: number
  rssBytes: number
  /** Frames dropped during the interval (slow or closing sockets, Redis publishes). */
  dropped: number
  /** 1 ready, 0 not; null with the local bus. */
  redisUp: 0 | 1 | null
}
export interface OpsSampleFrame {
  type: 'ops_sample'
  sample: OpsSample
}

export type ServerFrame =
  | InitialFrame
  | NotificationFrame
  | CountUpdateFrame
  | NotificationStateFrame
  | AwaySummaryFrame
  | FriendRequestFrame
  | FriendAcceptedFrame
  | NewMessageFrame
  | TypingFrame
  | PresenceFrame
  | PongFrame
  | ErrorFrame
  | TopicFrame
  | OpsSampleFrame

/** Any server frame may carry an HTML fragment of out-of-band swaps for the pages. */
export type WithContent<F extends ServerFrame = ServerFrame> = F & { content?: string }

// ---------------------------------------------------------------- client -> server
// Extra properties are allowed: htmx's hx-ws:send adds `headers`.

const Ts = Type.Optional(Type.Union([Type.Number(), Type.String({ maxLength: 64 }), Type.Null()]))
const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })

export const clientFrameSchemas = {
  ping: Type.Object({ type: Type.Literal('ping'), ts: Ts }),
  get_count: Type.Object({ type: Type.Literal('get_count') }),
  mark_read: Type.Object({ type: Type.Literal('mark_read'), id: Id }),
  mark_all_read: Type.Object({ type: Type.Literal('mark_all_read') }),
  archive: Type.Object({ type: Type.Literal('archive'), id: Id }),
  unarchive: Type.Object({ type: Type.Literal('unarchive'), id: Id }),
  snooze: Type.Object({ type: Type.Literal('snooze'), id: Id, until: Type.String({ minLength: 1, maxLength: 64 }) }),
  /** Addition beyond the protocol's frames: the socket side of POST /api/notifications/:id/unsnooze. */
  unsnooze: Type.Object({ type: Type.Literal('unsnooze'), id: Id }),
  typing: Type.Object({
    type: Type.Literal('typing'),
    conversation_id: Id,
    is_typing: Type.Boolean(),
  }),
  send_message: Type.Object({
    type: Type.Literal('send_message'),
    conversation_id: Id,
    client_id: Type.String({ minLength: 1, maxLength: 64 }),
    content: Type.String({ minLength: 1, maxLength: 4000 }),
  }),
  subscribe: Type.Object({ type: Type.Literal('subscribe'), topic: Type.String({ minLength: 1, maxLength: 100 }) }),
  unsubscribe: Type.Object({ type: Type.Literal('unsubscribe'), topic: Type.String({ minLength: 1, maxLength: 100 }) }),
} satisfies Record<string, TSchema>

export type ClientFrameType = keyof typeof clientFrameSchemas
export type ClientFrame<T extends ClientFrameType> = Static<(typeof clientFrameSchemas)[T]>

/** WebSocket close codes of PROTOCOL.md. */
export const CloseCode = {
  normal: 1000,
  tooBig: 1009,
  restarting: 1012,
  tooSlow: 1013,
  unauthorized: 4401,
  forbiddenOrigin: 4403,
  tooMany: 4429,
} as const
