/**
 * A socket gets a user's notifications in the order they were published, even when the
 * reads behind an earlier one's frame (counts, alert) finish after a later one's, as
 * PostgreSQL's pooled connections allow.
 */
import t from 'tap'
import { buildTestApp, createUser } from '../helper.js'

t.test("a later notification's frame waits for an earlier one's slower reads", async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const { notifications, hub } = s.app
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const got: Array<{ id: number; user: number }> = []
  for (const user of [alice, bob]) {
    const socket = { readyState: 1, bufferedAmount: 0, send: (data: string) => got.push({ id: JSON.parse(data).notification?.id, user: user.id }), on() {}, ping() {}, close() {}, terminate() {} }
    hub.add(socket as never, user.id, `order-${user.id}`, Date.now() + 3600e3)
  }

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
