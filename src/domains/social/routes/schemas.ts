/** The shapes social's routes take and answer (the protocol's objects among them). */
import Type from 'typebox'
import { Id } from '../../../web/schemas.js'

export const UserParams = Type.Object({ user_id: Id })
export const RequestParams = Type.Object({ request_id: Id })
export const SearchQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 64 })) })
/** How an htmx friends action answers: the panel, or one person's row (`view=person`). */
export const ViewQuery = Type.Object({ view: Type.Optional(Type.String({ maxLength: 20 })), user_id: Type.Optional(Id) })
export const PageQuery = Type.Object({
  before: Type.Optional(Id),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
})

const ClientId = Type.String({ minLength: 1, maxLength: 64 })
const Content = Type.String({ maxLength: 8000 })
export const SendMessageBody = Type.Object({
  recipient_id: Type.Optional(Id),
  conversation_id: Type.Optional(Id),
  content: Content,
  client_id: ClientId,
})
/** The conversation page's form (and its script's fallback when the socket is down). */
export const MessageFormBody = Type.Object({ content: Content, client_id: Type.Optional(ClientId) })
export const StartBody = Type.Object({ user_id: Id })

export const PublicUser = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
})
export const Friend = Type.Object({ ...PublicUser.properties, online: Type.Boolean() })

export const Message = Type.Object({
  id: Type.Integer(),
  conversation_id: Type.Integer(),
  client_id: Type.String(),
  sender: PublicUser,
  content: Type.String(),
  created_at: Type.String(),
})

export const Ok = Type.Object({ ok: Type.Literal(true) })
