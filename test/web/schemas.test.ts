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

t.test('route schemas are compiled once per process, and each route keeps its own', async (t) => {
  const { compiledSchemas } = await import('../../src/web/schema-compilers.js')
  const first = await buildTestApp()
  t.teardown(() => first.close())
  const afterFirst = compiledSchemas()
  t.ok(afterFirst.validators > 20 && afterFirst.serializers > 20, `the app's routes are compiled (${afterFirst.validators} validators, ${afterFirst.serializers} serializers)`)
  const second = await buildTestApp()
  t.teardown(() => second.close())
  t.same(compiledSchemas(), afterFirst, 'a second app compiles nothing new: it reuses the first one\'s functions')

  // Same URL, different schemas, on two instances: each validates and serializes by its own.
  const { default: Fastify } = await import('fastify')
  const { schemaController } = await import('../../src/web/schema-compilers.js')
  const apps = ['a', 'b'].map((field) => {
    const app = Fastify({ schemaController })
    app.post('/x', {
      schema: {
        body: { type: 'object', required: [field], properties: { [field]: { type: 'integer' } } },
        response: { 200: { type: 'object', properties: { [field]: { type: 'integer' } } } },
      },
    }, async (request) => ({ a: 1, b: 2, ...(request.body as object) }))
    t.teardown(() => app.close())
    return app
  })
  const post = (app: (typeof apps)[number], payload: object) => app.inject({ method: 'POST', url: '/x', payload })
  t.equal((await post(apps[0]!, { a: 5 })).statusCode, 200, 'app a takes {a}')
  t.equal((await post(apps[0]!, { b: 5 })).statusCode, 400, 'app a refuses {b}')
  t.equal((await post(apps[1]!, { b: 5 })).statusCode, 200, 'app b takes {b}')
  t.equal((await post(apps[1]!, { a: 5 })).statusCode, 400, 'app b refuses {a}')
  t.same((await post(apps[0]!, { a: 5 })).json(), { a: 5 }, 'app a answers with its own response schema')
  t.same((await post(apps[1]!, { b: '7' })).json(), { b: 7 }, 'app b too (and its body was coerced by its own validator)')
})
