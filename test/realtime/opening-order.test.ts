/**
 * The snapshot is read asynchronously, yet `initial` stays the first frame a socket
 * gets: the socket is held from its registration until its opening frames are sent,
 * and whatever was sent to it meanwhile follows, each notification once.
 */
import t from 'tap'
import { connect } from '../helper.js'
import { liveSite, systemTemplate } from './fixtures/live.js'

t.test('a frame sent to the user while the socket opens comes after initial', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'])
  const bobSocket = await connect(url, { token: bob.token })
  await bobSocket.next('initial')
  const bobMark = bobSocket.mark()
  // The hub tells who came online while it registers the socket, before the snapshot is read.
  s.app.hub.once('user_online', (userId: number) => s.app.hub.sendToUser(userId, { type: 'pong', ts: 7 }))
  const socket = await connect(url, { token: alice.token })
  await socket.next('pong')
  t.same(socket.frames.map((f) => f.type).slice(0, 2), ['initial', 'pong'], 'initial first, then the frame sent meanwhile')
  t.same(await bobSocket.since(bobMark, 50), [], 'bob got nothing')
})

t.test('a push taken while the snapshot is read is left out of it and follows it, once', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'])
  const [before, pushed] = (await s.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'system', title: 'x' })).ids as [number, number]
  await new Promise((resolve) => setTimeout(resolve, 50)) // their pushes went out to nobody
  const template = systemTemplate('x')
  // A (late) push of one of them reaches the new socket before its snapshot is read.
  s.app.hub.once('user_online', () => s.app.hub.deliver({ type: 'notify', template, recipients: [[alice.id, pushed]], at: Date.now() }))
  const socket = await connect(url, { token: alice.token })
  const initial = await socket.next('initial')
  t.equal(socket.frames[0]!.type, 'initial', 'initial first')
  t.same(initial.recent_notifications.map((n: { id: number }) => n.id), [before], 'the pushed one is not in the snapshot')
  t.equal((await socket.next('notification')).notification.id, pushed, 'it follows the snapshot')
  await socket.settle(100)
  t.equal(socket.ofType('notification').length, 1, 'once')
})

t.test('a socket resuming with since= takes no push of a row at or below it while it opens', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'])
  const [had, last] = (await s.app.notifications.notify({ userIds: [alice.id, alice.id] }, { kind: 'system', title: 'x' })).ids as [number, number]
  await new Promise((resolve) => setTimeout(resolve, 50)) // their pushes went out to nobody
  const template = systemTemplate('x')
  // A client that has both (it resumes after its server restarted) meets late copies of them
  // (a Redis publisher's queue flushed on reconnect) while its snapshot is read: the
  // snapshot's first read waits until they were delivered.
  const service = s.app.notifications
  const lastId = service.lastId.bind(service)
  service.lastId = async (userId: number) => {
    service.lastId = lastId
    await new Promise((resolve) => setTimeout(resolve, 20))
    s.app.hub.deliver({ type: 'notify', template, recipients: [[alice.id, had], [alice.id, last]], at: Date.now() })
    await new Promise((resolve) => setTimeout(resolve, 20))
    return lastId(userId)
  }
  t.teardown(() => void (service.lastId = lastId))
  const socket = await connect(url, { token: alice.token, query: { since: String(last) } })
  t.equal((await socket.next('initial')).last_id, last)
  const next = (await s.app.notifications.notify({ userIds: [alice.id] }, { kind: 'system', title: 'after' })).ids[0]!
  await socket.next((f) => f.type === 'notification' && f.notification.id === next)
  t.same(socket.ofType('notification').map((f) => f.notification.id), [next], 'nothing it had comes again; the next one does')
})

t.test('frames the client sends at once are answered after initial', async (t) => {
  const { url, alice } = await liveSite(t, ['alice'])
  const socket = await connect(url, { token: alice.token })
  socket.send({ type: 'get_count' })
  socket.send({ type: 'ping', ts: 1 })
  await socket.next('pong')
  // get_count reads the database, ping does not: still answered in the order sent.
  t.same(socket.frames.map((f) => f.type), ['initial', 'count_update', 'pong'], 'initial, then the answers in order')
})
