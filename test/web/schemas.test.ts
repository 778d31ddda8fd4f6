import t from 'tap'
import { bearer, buildTestApp, createUser } from '../helper.js'

t.test('numbers on the wire are plain decimal: Infinity, 1e400, 0x15, padded are refused', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const user = await createUser(s.app)
  await s.app.notifications.notify({ userIds: [user.id] }, { kind: 'system', title: 'one' })
  for (const q of ['limit=Infinity', 'limit=1e400', 'limit=0x15', 'limit=1e1', 'limit=%205', 'limit=-Infinity', 'before=0x15', 'before=NaN']) {
    const res = await s.app.inject({ url: `/api/notifications?${q}`, headers: bearer(user) })
    t.equal(res.statusCode, 400, `${q}: 400`)
    t.match(res.json(), { error: 'invalid', message: /must be a whole number written in digits/ }, `${q}: says why`)
  }
  for (const id of ['0x15', '1e400', 'Infinity', '1.0']) {
    const res = await s.app.inject({ method: 'POST', url: `/api/notifications/${id}/read`, headers: bearer(user) })
    t.equal(res.statusCode, 400, `POST /api/notifications/${id}/read: 400`)
  }
  const ok = await s.app.inject({ url: '/api/notifications?limit=5', headers: bearer(user) })
  t.equal(ok.statusCode, 200, 'a plain number still works')
  t.equal(ok.json().unread_count, 1, 'and nothing was marked read by the refused calls')
})
