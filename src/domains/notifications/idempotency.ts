/**
 * Idempotency-Key on POST /api/notifications: the same caller, key and body within
 * 24 h answers the first answer again and creates nothing. The key row is claimed
 * first and the notifications written in the same transaction, so of two concurrent
 * publishes with one key (any processes, either database) the second waits on the
 * key (SQLite: the write lock; PostgreSQL: the unique key's row), then reads the first's answer.
 */
import { createHash } from 'node:crypto'
import { and, eq, lt } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { transact, type Outbox, type Tx } from '../../db/transact.js'
import { DomainError } from '../../errors.js'
import type { Bus } from '../../realtime/bus.js'
import { notificationIdempotencyKeys as keys } from './schema.js'
import type { Notified } from './service.js'

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000
const KEY = /^[\x20-\x7e]{1,255}$/

export function isIdempotencyKey(value: string): boolean {
  return KEY.test(value)
}

/** The same JSON body whatever the order of its object keys. */
export function bodyHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
        : v
  return createHash('sha256').update(JSON.stringify(canonical(body))).digest('hex')
}

export async function onceByKey(
  { db, bus, now }: { db: Db; bus: Bus; now: () => number },
  caller: { callerId: number; key: string; bodyHash: string },
  publish: (tx: Tx, outbox: Outbox) => Promise<Notified>,
): Promise<Notified> {
  return transact(db, bus, async (tx, outbox) => {
    const at = now()
    await tx.delete(keys).where(lt(keys.createdAt, at - IDEMPOTENCY_TTL_MS))
    const mine = and(eq(keys.callerId, caller.callerId), eq(keys.key, caller.key))
    const claimed = await tx.insert(keys).values({ ...caller, answer: '', createdAt: at }).onConflictDoNothing().returning({ key: keys.key })
    if (!claimed.length) {
      const first = (await tx.select().from(keys).where(mine).limit(1))[0]!
      if (first.bodyHash !== caller.bodyHash) {
        throw new DomainError('unprocessable', 'This Idempotency-Key was used with another body', { code: 'idempotency_key_reused' })
      }
      return JSON.parse(first.answer) as Notified
    }
    const answer = await publish(tx, outbox)
    await tx.update(keys).set({ answer: JSON.stringify(answer) }).where(mine)
    return answer
  })
}
