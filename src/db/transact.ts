import type { Bus, BusEventInput } from '../realtime/bus.js'
import type { Db } from './client.js'

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]

/** Events collected during a transaction, published only once it has committed. */
export type Outbox = BusEventInput[]

/**
 * Runs `fn` in one IMMEDIATE transaction (so concurrent writers queue on
 * busy_timeout instead of failing on lock upgrade) and publishes the events it
 * collected after COMMIT. If `fn` throws, nothing is written and nothing is published.
 */
export function transact<T>(db: Db, bus: Bus, fn: (tx: Tx, outbox: Outbox) => T): T {
  const outbox: Outbox = []
  const result = db.transaction((tx) => fn(tx, outbox), { behavior: 'immediate' })
  for (const event of outbox) bus.publish(event)
  return result
}
