/** Heartbeats, slow consumers (1013 + coalesced counts) and graceful shutdown (1012). */
import t from 'tap'
import { WebSocket } from 'ws'
import { CloseCode } from '../../src/protocol.js'
import { buildTestApp, connectReady, createUser, SocketClient, type TestApp } from '../helper.js'
import { liveSite } from './fixtures/live.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The server side of a user's only socket. */
const serverSide = (s: TestApp, userId: number) => [...(s.app.hub.users.get(userId) ?? [])][0]

t.test('heartbeat terminates a socket that does not answer pings; live ones stay', async (t) => {
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'], { ws: { heartbeatMs: 100 } as any })
  const deaf = new SocketClient(new WebSocket(`${url.replace('http', 'ws')}/ws/notifications?token=${alice.token}`, { autoPong: false }))
  await deaf.opened
  await deaf.next('initial')
  const live = await connectReady(url, { token: bob.token })
  let pings = 0
  live.client.ws.on('ping', () => pings++)

  const code = await Promise.race([deaf.closed, sleep(2000).then(() => null)])
  t.equal(code, 1006, 'terminated (no close frame) after a missed pong')
  t.equal(s.app.hub.users.has(alice.id), false, 'the hub dropped it')
  await sleep(350)
  t.ok(pings >= 2, `the live socket was pinged (${pings}) and answered`)
  t.equal(live.client.closeCode, null, 'the live socket stays open')
  t.equal(s.app.hub.users.get(bob.id)?.size, 1)
  await live.client.close()
})

t.test('a client that stops reading: counts wait and coalesce, then 1013 past the buffer cap', async (t) => {
  const maxBufferedBytes = 2 * 1024 * 1024
  const { s, url, alice, bob } = await liveSite(t, ['alice', 'bob'], { ws: { maxBufferedBytes } as any })
  const { client } = await connectReady(url, { token: alice.token })
  const b = await connectReady(url, { token: bob.token })
  const server = serverSide(s, alice.id)!
  const big = 'x'.repeat(32 * 1024)
  const push = () => s.app.bus.publish({ type: 'frame', userIds: [alice.id], frame: { type: 'pong', ts: big } })

  // Stop reading; fill the kernel buffers until the server holds unsent bytes of its own.
  ;(client.ws as any)._socket.pause()
  let pushed = 0
  while (server.socket.bufferedAmount < 256 * 1024 && pushed < 2000) {
    push()
    pushed++
    await sleep(pushed % 20 === 0 ? 20 : 0)
  }
  t.ok(server.socket.bufferedAmount >= 256 * 1024, `the server is holding ${server.socket.bufferedAmount} unsent bytes after ${pushed} frames`)

  // Ten count changes while behind: none is written now; one fresh count_update later.
  const { ids } = await s.app.notifications.notify({ userIds: Array(10).fill(alice.id) }, { kind: 'system', title: 'n' })
  await sleep(20)
  for (const id of ids) await s.app.notifications.markRead(alice.id, id)
  await sleep(50)
  t.equal(server.owesLatest, true, 'a count update is owed, not queued')
  const queued = server.socket.bufferedAmount

  ;(client.ws as any)._socket.resume()
  const update = await client.next('count_update', 5000)
  t.equal(update.unread_count, 0, 'the count it gets is the current one')
  await sleep(300)
  t.equal(client.ofType('count_update').length, 1, 'ten count changes coalesced into one count_update')
  t.equal(client.ofType('notification').length, 10, 'the notifications themselves all arrived')
  t.equal(client.ofType('pong').length, pushed, 'every frame queued below the cap arrived')
  t.ok(queued > 0)
  t.equal(client.closeCode, null, 'below the cap the socket stays open')

  // Past the cap: 1013, and the hub lets go at once.
  ;(client.ws as any)._socket.pause()
  const slowBefore = s.app.hub.stats.dropped.slow
  for (let i = 0; i < 5000 && s.app.hub.users.has(alice.id); i++) {
    push()
    await sleep(i % 20 === 0 ? 20 : 0)
  }
  t.equal(s.app.hub.users.has(alice.id), false, 'the hub dropped the slow socket')
  t.equal(s.app.hub.stats.dropped.slow, slowBefore + 1, 'counted as slow')
  ;(client.ws as any)._socket.resume()
  t.equal(await client.closed, CloseCode.tooSlow, 'the client sees 1013 once it reads again')
  t.same(b.client.frames.map((f) => f.type), ['initial'], 'bob got none of it')
  await b.client.close()
})

t.test('count changes within one tick become one count_update', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'])
  const { client } = await connectReady(url, { token: alice.token })
  const mark = client.mark()
  for (let i = 0; i < 10; i++) s.app.bus.publish({ type: 'counts', userIds: [alice.id] })
  await client.next('count_update')
  t.same((await client.since(mark, 100, 'count_update')).length, 1, 'one frame for ten changes')
  await client.close()
})

t.test('graceful shutdown closes every socket with 1012', async (t) => {
  const s = await buildTestApp()
  const url = await s.listen()
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const sockets = [await connectReady(url, { token: alice.token }), await connectReady(url, { token: alice.token }), await connectReady(url, { token: bob.token })]
  const closing = s.close()
  const codes = await Promise.all(sockets.map((c) => c.client.closed))
  t.same(codes, [1012, 1012, 1012], 'every socket got 1012')
  t.equal(sockets[0]!.client.closeReason, 'server restarting')
  await closing
  t.equal(s.app.hub.stats.sockets, 0)
})

t.test('a text frame past the limit closes with 1009, however large (2 MiB and 4 MiB)', async (t) => {
  const { s, url, alice } = await liveSite(t, ['alice'])
  for (const mib of [2, 4, 8]) {
    const { client } = await connectReady(url, { token: alice.token })
    client.send('x'.repeat(mib * 1024 * 1024))
    t.equal(await client.closed, CloseCode.tooBig, `${mib} MiB: 1009`)
  }
  for (let i = 0; i < 100 && s.app.hub.stats.sockets > 0; i++) await sleep(20)
  t.equal(s.app.hub.stats.sockets, 0, 'the hub let go of them')
})
