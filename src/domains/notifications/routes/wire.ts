/** The JSON shapes of the notifications API (requests and answers). */
import Type from 'typebox'
import { Id } from '../../../web/schemas.js'
import { CATEGORIES } from '../inbox-rules.js'
import { INBOX_STATUSES } from '../listing.js'
import { SNOOZE_PRESETS } from '../inbox-rules.js'
import { MUTE_FOR } from '../mutes.js'

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

export const Notification = Type.Object({
  id: Id,
  kind: Type.String(),
  title: Type.String(),
  message: Type.String(),
  link_url: Nullable(Type.String()),
  link_text: Nullable(Type.String()),
  icon: Nullable(Type.String()),
  actor: Nullable(Type.Object({ id: Id, username: Type.String() })),
  created_at: Type.String(),
  read: Type.Boolean(),
  category: Type.String(),
  thread: Nullable(Type.String()),
  archived: Type.Boolean(),
  snoozed_until: Nullable(Type.String()),
  actions: Type.Array(Type.Object({ id: Type.String(), label: Type.String(), method: Type.String(), url: Type.String() })),
})

export const UnreadByCategory = Type.Object({ blog: Type.Integer(), billing: Type.Integer(), social: Type.Integer(), system: Type.Integer() })

export const SnoozeBody = Type.Object({ until: Type.String({ minLength: 1, maxLength: 64 }) })

export const ListQuery = Type.Object({
  unread: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  before: Type.Optional(Id),
  after: Type.Optional(Id),
  status: Type.Optional(Type.Union(INBOX_STATUSES.map((v) => Type.Literal(v)))),
  category: Type.Optional(Type.Union(CATEGORIES.map((v) => Type.Literal(v)))),
})

export const ComposeApiBody = Type.Object({
  user_ids: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 10000 })),
  usernames: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 10000 })),
  all: Type.Optional(Type.Boolean()),
  title: Type.String(),
  message: Type.String(),
  kind: Type.Optional(Type.String()),
  link_url: Type.Optional(Nullable(Type.String())),
  link_text: Type.Optional(Nullable(Type.String())),
})

export const Created = Type.Object({ created: Type.Integer(), ids: Type.Array(Id) })

const ComposeFields = {
  target: Type.String({ maxLength: 10 }),
  usernames: Type.Optional(Type.String({ maxLength: 100000 })),
  title: Type.String({ maxLength: 1000 }),
  message: Type.Optional(Type.String({ maxLength: 10000 })),
  kind: Type.Optional(Type.String({ maxLength: 64 })),
  link_url: Type.Optional(Type.String({ maxLength: 2000 })),
  link_text: Type.Optional(Type.String({ maxLength: 1000 })),
}

/** The admin form: its fields, the Idempotency-Key of its render, and `confirmed` once "send to everyone" was confirmed. */
export const ComposeForm = Type.Object({
  ...ComposeFields,
  idempotency_key: Type.Optional(Type.String({ maxLength: 300 })),
  confirmed: Type.Optional(Type.String({ maxLength: 1 })),
  _csrf: Type.Optional(Type.String({ maxLength: 500 })),
})

/** What the live preview of the toast is rendered from (any field may still be empty). */
export const ComposePreview = Type.Partial(Type.Object({ ...ComposeFields, idempotency_key: Type.String({ maxLength: 300 }), confirmed: Type.String({ maxLength: 1 }), _csrf: Type.String({ maxLength: 500 }) }))

const literals = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)))

/** Which view of the inbox a page form was sent from (kept on the answer or redirect). */
export const ViewFields = {
  status: Type.Optional(literals(INBOX_STATUSES)),
  category: Type.Optional(literals(CATEGORIES)),
}
export const ViewForm = Type.Object(ViewFields)

/** A row's snooze menu: a preset, or `at` with a wall-clock `local` time, in the browser's `time_zone`. */
export const SnoozeForm = Type.Object({
  preset: literals([...SNOOZE_PRESETS, 'at']),
  local: Type.Optional(Type.String({ maxLength: 32 })),
  time_zone: Type.Optional(Type.String({ maxLength: 64 })),
  ...ViewFields,
})

/** A row's mute menu: how long. */
export const MuteForm = Type.Object({ for: literals(Object.keys(MUTE_FOR)), ...ViewFields })
