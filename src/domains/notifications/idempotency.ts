/**
 * Idempotency-Key on POST /api/notifications: the same caller, key and body within
 * 24 h answers the first answer again and creates nothing. The key row and the
 * notifications are written in one IMMEDIATE transaction, so of two concurrent
 * publishes with one key (any processes) the second waits, then finds the first's row.
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
    const first = (await tx
      .select()
      .from(keys)
      .where(and(eq(keys.callerId, caller.callerId), eq(keys.key, caller.key))).limit(1))[0]
    if (first) {
      if (first.bodyHash !== caller.bodyHash) {
        throw new DomainError('unprocessable', 'This Idempotency-Key was used with another body', { code: 'idempotency_key_reused' })
      }
      return JSON.parse(first.answer) as Notified
    }
    const answer = await publish(tx, outbox)
    await tx.insert(keys).values({ ...caller, answer: JSON.stringify(answer), createdAt: at })
    return answer
  })
}
