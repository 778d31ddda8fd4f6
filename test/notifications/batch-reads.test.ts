/**
 * The batch reads of a fan-out (counts, alerts and a broadcast's row ids of many users)
 * answer what the one-user reads answer, user by user, across more than one `in (...)` list.
 */
import t from 'tap'
import { IN_LIST } from '../../src/db/prepared.js'
import type { NotificationKind } from '../../src/protocol.js'
import { buildTestApp, createUser } from '../helper.js'
import { befriend, sendHttp } from '../social/fixtures/social.js'

// 23:00 UTC: inside 22:00-07:00, outside 08:00-09:00.
const NOW = Date.UTC(2026, 0, 15, 23, 0)

t.test('countsOf, alertsOf, broadcastRowIds and unreadMessagesCounts agree with the one-user reads', async (t) => {
  const s = await buildTestApp({}, { now: () => NOW })
  t.teardown(() => s.close())
  const { notifications, social } = s.app
  const [alice, bob, carol, dave, eve] = [await createUser(s.app), await createUser(s.app), await createUser(s.app), await createUser(s.app), await createUser(s.app)]
  const crowd = (await s.app.accounts.loadUsers(IN_LIST + 20, 'batch')).map((u) => u.id)

  await befriend(s.app, alice, bob)
  await befriend(s.app, alice, carol)
  for (const u of [alice, bob, carol]) await notifications.markAllRead(u.id)
  // Unread notifications: alice 3 (one more read), every third of the crowd 1, carol's read.
  for (let i = 0; i < 4; i++) await notifications.notify({ userIds: [alice.id] }, { kind: 'comment', title: `a${i}` })
  await notifications.markRead(alice.id, (await notifications.list(alice.id, { limit: 1 }))[0]!.id)
  await notifications.notify({ userIds: crowd.filter((_, i) => i % 3 === 0) }, { kind: 'like', title: 'crowd' })
  await notifications.notify({ userIds: [carol.id] }, { kind: 'like', title: 'c' })
  await notifications.markAllRead(carol.id)
  // Unread messages: bob 2 from alice, carol 1 from alice, alice none (her own are not unread).
  await sendHttp(s.app, alice, { recipient_id: bob.id }, 'one', 'm1')
  await sendHttp(s.app, alice, { recipient_id: bob.id }, 'two', 'm2')
  await sendHttp(s.app, alice, { recipient_id: carol.id }, 'three', 'm3')
  // Channels and quiet hours: carol in quiet hours now, dave has them but not now, bob turned comment toasts off.
  await notifications.preferences.put(carol.id, { quiet_hours: { start: '22:00', end: '07:00', time_zone: 'UTC' } })
  await notifications.preferences.put(dave.id, { quiet_hours: { start: '08:00', end: '09:00', time_zone: 'UTC' }, kinds: { comment: { inbox: true, toast: true, desktop: false } } })
  await notifications.preferences.put(bob.id, { kinds: { comment: { inbox: true, toast: false, desktop: true }, system: { inbox: true, toast: true, desktop: true } } })
  await notifications.preferences.put(crowd[IN_LIST + 3]!, { kinds: { comment: { inbox: true, toast: false, desktop: false } } })

  // The named users on both sides of the first list's end, and one user twice.
  const userIds = [...crowd.slice(0, IN_LIST - 2), alice.id, bob.id, carol.id, dave.id, ...crowd.slice(IN_LIST - 2), eve.id, alice.id]
  t.ok(userIds.length > IN_LIST, 'more users than one in (...) list')

  const counts = await notifications.countsOf(userIds)
  t.same(counts.get(alice.id), { unread_count: 3, unread_messages_count: 0 })
  t.same(counts.get(bob.id), { unread_count: 0, unread_messages_count: 2 })
  t.same(counts.get(carol.id), { unread_count: 0, unread_messages_count: 1 })
  t.same(counts.get(eve.id), { unread_count: 0, unread_messages_count: 0 }, 'a user with nothing counts 0')
  t.same(counts.get(crowd[IN_LIST + 2]!), { unread_count: 0, unread_messages_count: 0 })
  t.same(counts.get(crowd[IN_LIST + 1]!), { unread_count: 1, unread_messages_count: 0 }, 'a user in the second list')
  let differ = 0
  for (const u of userIds) if (JSON.stringify(counts.get(u)) !== JSON.stringify(await notifications.counts(u))) differ++
  t.equal(differ, 0, 'every user: countsOf = counts')
  t.equal(counts.size, new Set(userIds).size)

  const messages = await social.unreadMessagesCounts(userIds)
  t.same([messages.get(bob.id), messages.get(carol.id), messages.has(alice.id)], [2, 1, false], 'users with none are left out')

  for (const kind of ['comment', 'like', 'system'] as NotificationKind[]) {
    const alerts = await notifications.alertsOf(userIds, kind)
    differ = 0
    for (const u of userIds) if (JSON.stringify(alerts.get(u)) !== JSON.stringify(await notifications.alertOf(u, kind))) differ++
    t.equal(differ, 0, `every user: alertsOf = alertOf (${kind})`)
    t.same(alerts.get(carol.id), { toast: false, desktop: false }, `${kind}: quiet hours show nothing`)
    t.same(alerts.get(eve.id), { toast: true, desktop: true }, `${kind}: defaults`)
  }
  const comment = await notifications.alertsOf(userIds, 'comment')
  t.same(comment.get(bob.id), { toast: false, desktop: true })
  t.same(comment.get(dave.id), { toast: true, desktop: false }, 'quiet hours, but not now')
  t.same(comment.get(crowd[IN_LIST + 3]!), { toast: false, desktop: false }, 'channels in the second list')
  t.same((await notifications.alertsOf(userIds, 'system')).get(bob.id), { toast: true, desktop: true }, 'system cannot be turned off')

  const sent = await notifications.notify({ all: true }, { kind: 'system', title: 'everyone' })
  const [fromId, toId] = [sent.ids[0]!, sent.ids[sent.ids.length - 1]!]
  const rowIds = await notifications.broadcastRowIds(userIds, fromId, toId)
  t.equal(rowIds.size, new Set(userIds).size, 'everyone has a row')
  differ = 0
  for (const u of userIds) if (rowIds.get(u) !== (await notifications.broadcastRowIds([u], fromId, toId)).get(u)) differ++
  t.equal(differ, 0, 'every user: the batch row id = the one-user row id')
  t.equal(rowIds.get(eve.id), (await notifications.list(eve.id, { limit: 1 }))[0]!.id, "eve's row is her newest")
  t.equal((await notifications.broadcastRowIds(userIds, fromId, fromId)).size, 1, 'only the rows in the range')

  for (const empty of [await notifications.countsOf([]), await notifications.alertsOf([], 'comment'), await notifications.broadcastRowIds([], fromId, toId)]) t.equal(empty.size, 0)
})
