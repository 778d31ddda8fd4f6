/**
 * A socket gets a user's notifications in the order they were published, even when the
 * reads behind an earlier one's frame (counts, alert) finish after a later one's, as
 * PostgreSQL's pooled connections allow.
 */
import t, { type Test } from 'tap'
import { buildTestApp, createUser } from '../helper.js'
import { fakeSocket } from '../realtime/fixtures/live.js'

/** Alice and Bob online, one stand-in socket each; `got` lists the notification frames in the order written. */
async function twoOnline(t: Test) {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const got: Array<{ id: number; user: number }> = []
  for (const user of [alice, bob]) {
    const socket = fakeSocket((text) => got.push({ id: JSON.parse(text).notification?.id, user: user.id }))
    s.app.hub.add(socket, user.id, `order-${user.id}`, Date.now() + 3600e3)
  }
  return { notifications: s.app.notifications, alice, bob, got }
}

t.test("a later notification's frame waits for an earlier one's slower reads", async (t) => {
  const { notifications, alice, got } = await twoOnline(t)

  // The first fan-out's counts come 150 ms late; the second's at once.
  const countsOf = notifications.countsOf.bind(notifications)
  let calls = 0
  notifications.countsOf = async (userIds) => {
    const slow = calls++ === 0
    const counts = await countsOf(userIds)
    if (slow) await new Promise((r) => setTimeout(r, 150))
    return counts
  }
  t.teardown(() => {
    notifications.countsOf = countsOf
  })

  const first = (await notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'first' })).ids[0]!
  const second = (await notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'second' })).ids[0]!
  for (let waited = 0; waited < 3000 && got.length < 2; waited += 20) await new Promise((r) => setTimeout(r, 20))
  await new Promise((r) => setTimeout(r, 50))
  t.same(got, [{ id: first, user: alice.id }, { id: second, user: alice.id }], 'alice: first, then second; bob: nothing')
})

t.test("a notification published during a broadcast's row lookup waits for the broadcast's frame", async (t) => {
  const { notifications, alice, bob, got } = await twoOnline(t)

  // The broadcast's rows are looked up 150 ms late (19,000 users take ~100 ms here).
  const broadcastRowIds = notifications.broadcastRowIds.bind(notifications)
  notifications.broadcastRowIds = async (...args) => {
    const ids = await broadcastRowIds(...args)
    await new Promise((r) => setTimeout(r, 150))
    return ids
  }
  t.teardown(() => {
    notifications.broadcastRowIds = broadcastRowIds
  })

  const everyone = await notifications.notify({ all: true }, { kind: 'system', title: 'everyone' })
  const later = (await notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'later' })).ids[0]!
  for (let waited = 0; waited < 3000 && got.length < 3; waited += 20) await new Promise((r) => setTimeout(r, 20))
  await new Promise((r) => setTimeout(r, 50))
  const rowOf = async (userId: number) => (await notifications.list(userId, { limit: 5 })).find((n) => n.title === 'everyone')!.id
  t.equal(everyone.created, 2, 'the broadcast made a row for each')
  t.same(got.filter((f) => f.user === alice.id), [{ id: await rowOf(alice.id), user: alice.id }, { id: later, user: alice.id }], 'alice: the broadcast, then the later one')
  t.same(got.filter((f) => f.user === bob.id), [{ id: await rowOf(bob.id), user: bob.id }], 'bob: the broadcast only')
})
