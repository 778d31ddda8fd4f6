/** Shutdown of a real server process: /readyz answers 503 while it drains, then the sockets get 1012. */
import t from 'tap'
import { connectReady, createUser } from '../helper.js'
import { get, sharedSite, startServer, until } from './fixtures/servers.js'

t.setTimeout(120_000)

t.test('SIGTERM with SHUTDOWN_DRAIN_MS: not ready at once, still serving, then closed', async (t) => {
  const { site, local } = await sharedSite(t, { users: 0 })
  const { REDIS_URL: _none, REDIS_PREFIX: _prefix, ...env } = site.env
  const server = await startServer({ ...env, SHUTDOWN_DRAIN_MS: '3000' })
  t.teardown(() => server.stop('SIGKILL'))
  const alice = await createUser(local.app)
  const socket = await connectReady(server.url, { token: alice.token })
  t.equal((await get(`${server.url}/readyz`)).status, 200)

  server.child.kill('SIGTERM')
  await until('503 while draining', async () => (await get(`${server.url}/readyz`)).status === 503)
  const ready = await get(`${server.url}/readyz`)
  t.equal(ready.body, 'not ready: draining\n')
  t.equal((await get(`${server.url}/healthz`)).status, 200, 'still alive and serving')
  t.equal(socket.client.ws.readyState, 1, 'sockets stay open while draining')
  t.equal(await socket.client.closed, 1012, 'then they get 1012')
  t.equal(await server.exited, 0)
})
