/** An open socket does not keep its upgrade's request and response alive (memory per idle socket). */
import type { IncomingMessage } from 'node:http'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { adminNotify, buildTestApp, connectReady, createUser } from '../helper.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

t.test('after the socket is accepted, the upgrade request and response can be collected', async (t) => {
  const s = await buildTestApp()
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app)
  const admin = await createUser(s.app, { admin: true })
  // Fastify's request and reply hold these (request.raw, reply.raw): once they are gone, so are those.
  const upgrade: Array<WeakRef<object>> = []
  s.app.websocketServer.on('connection', (_socket: unknown, req: IncomingMessage) => {
    upgrade.push(new WeakRef(req), new WeakRef((req.socket as unknown as { _httpMessage: object })._httpMessage))
  })
  const sock = await connectReady(url, { token: alice.token })
  t.equal(upgrade.length, 2)
  for (let i = 0; i < 5 && upgrade.some((ref) => ref.deref()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10))
    gc()
  }
  t.same(upgrade.map((ref) => ref.deref() === undefined), [true, true], 'IncomingMessage and ServerResponse collected')

  const mark = sock.client.mark()
  t.equal((await adminNotify(s.app, admin, { user_ids: [alice.id], title: 'still here', message: 'm' })).statusCode, 201)
  const frame = await sock.client.next((f) => f.type === 'notification')
  t.equal(frame.notification.title, 'still here', 'the socket still works')
  t.same((await sock.client.since(mark)).map((f) => f.type), ['notification'])
  await sock.client.close()
})
