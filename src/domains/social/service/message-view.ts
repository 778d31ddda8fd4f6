import type { NewMessageFrame } from '../../../protocol.js'
import type { MessageRow } from '../schema.js'
import type { People } from './people.js'

export type MessageDTO = NewMessageFrame['data']

/** Messages as the wire shows them, each with its sender's public part. */
export async function messageViews(people: People, rows: MessageRow[]): Promise<MessageDTO[]> {
  const senders = await people.byIds([...new Set(rows.map((r) => r.senderId))])
  return rows.flatMap((r) => {
    const sender = senders.get(r.senderId)
    if (!sender) return []
    return [
      {
        id: r.id,
        conversation_id: r.conversationId,
        client_id: r.clientId,
        sender,
        content: r.content,
        created_at: new Date(r.createdAt).toISOString(),
      },
    ]
  })
}
