/** The heartbeat spreads its pings over the interval; each socket is still pinged once per interval. */
import t from 'tap'
import { HEARTBEAT_TICK_MS, startHeartbeat } from '../../src/realtime/heartbeat.js'
import type { Client, Hub } from '../../src/realtime/hub.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A hub of fake clients: each records when it was pinged and answers at once unless deaf. */
function fakeHub(userIds: number[], deaf: number[] = []) {
  const pings = new Map<number, number[]>()
  const terminated: number[] = []
  const users = new Map<number, Set<Client>>()
  for (const userId of userIds) {
    pings.set(userId, [])
    const client = {
      userId,
      alive: true,
      expiresAtMs: Date.now() + 3_600_000,
      socket: {
        ping() {
          pings.get(userId)!.push(performance.now())
          if (!deaf.includes(userId)) client.alive = true
        },
        terminate() {
          terminated.push(userId)
        },
      },
    } as unknown as Client & { alive: boolean }
    users.set(userId, new Set([client]))
  }
  const hub = {
    users,
    remove(client: Client) {
      users.get(client.userId)?.delete(client)
      if (users.get(client.userId)?.size === 0) users.delete(client.userId)
    },
    close() {},
  } as unknown as Hub
  return { hub, pings, terminated }
}

t.test('pings are spread over the interval, one share of the users per tick, each user once per interval', async (t) => {
  const interval = 4 * HEARTBEAT_TICK_MS
  const userIds = [1, 2, 3, 4, 5, 6, 7, 8]
  const { hub, pings, terminated } = fakeHub(userIds, [6])
  const start = performance.now()
  const stop = startHeartbeat(hub, interval)
  t.teardown(stop)
  await sleep(2 * interval + HEARTBEAT_TICK_MS / 2)
  stop()

  // Every user's first ping, in ticks since the start: two users per tick, four ticks.
  const firstTick = new Map<number, number>()
  for (const [userId, at] of pings) if (at.length) firstTick.set(userId, Math.round((at[0]! - start) / HEARTBEAT_TICK_MS))
  t.equal(new Set(firstTick.values()).size, 4, `first pings fell in four different ticks: ${JSON.stringify([...firstTick])}`)
  for (const tick of new Set(firstTick.values())) t.equal([...firstTick.values()].filter((x) => x === tick).length, 2, `two users in tick ${tick}`)

  // The live ones: twice each, one interval apart (give or take a timer's lateness).
  for (const userId of userIds.filter((u) => u !== 6)) {
    const at = pings.get(userId)!
    t.equal(at.length, 2, `user ${userId} was pinged twice in two intervals`)
    t.ok(Math.abs(at[1]! - at[0]! - interval) < HEARTBEAT_TICK_MS / 2, `user ${userId}: ${Math.round(at[1]! - at[0]!)} ms between pings`)
  }
  // The deaf one: pinged once, then dropped at its next turn; nobody else.
  t.same(terminated, [6], 'only the socket that missed a pong was terminated')
  t.equal(pings.get(6)!.length, 1)
  t.equal(hub.users.has(6), false, 'and removed from the hub')
})

t.test('an interval shorter than a tick pings everybody every interval', async (t) => {
  const { hub, pings } = fakeHub([1, 2, 3])
  const stop = startHeartbeat(hub, 60)
  t.teardown(stop)
  await sleep(200)
  stop()
  for (const [userId, at] of pings) t.ok(at.length >= 2, `user ${userId} pinged ${at.length} times in 200 ms`)
})

t.test('an interval that is not a whole number of ticks: every user is still pinged exactly one interval apart', async (t) => {
  const interval = 600 // two shares, 300 ms apart (not 250: that would ping every 500 ms)
  const { hub, pings } = fakeHub([1, 2, 3, 4, 5, 6])
  const stop = startHeartbeat(hub, interval)
  t.teardown(stop)
  await sleep(2 * interval + 100)
  stop()
  for (const [userId, at] of pings) {
    t.equal(at.length, 2, `user ${userId} pinged twice`)
    t.ok(Math.abs(at[1]! - at[0]! - interval) < 50, `user ${userId}: ${Math.round(at[1]! - at[0]!)} ms between pings`)
  }
})
