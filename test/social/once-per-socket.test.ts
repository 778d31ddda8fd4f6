import t from 'tap'
import { OncePerSocket } from '../../src/domains/social/once-per-socket.js'

const message = (id: number, ageMs: number) => ({ id, created_at: new Date(Date.now() - ageMs).toISOString() })

t.test('a repeat is echoed only to a socket that did not get, and is not about to get, the push', async (t) => {
  const once = new OncePerSocket<object>()
  once.windowMs = 100
  const [got, late, old] = [{}, {}, {}]
  const echoed: string[] = []

  once.pushed(1, [got])
  once.repeated(got, message(1, 0), () => echoed.push('got'))
  t.same(echoed, [], 'the socket had the push: no echo')

  once.repeated(late, message(2, 0), () => echoed.push('late'))
  once.repeated(late, message(2, 0), () => echoed.push('late again'))
  t.same(echoed, [], 'a fresh message: the echo waits for the push')
  once.pushed(2, [late])
  await new Promise((r) => setTimeout(r, 150))
  t.same(echoed, [], 'the push came: no echo, ever')

  once.repeated(old, message(3, 0), () => echoed.push('no push'))
  await new Promise((r) => setTimeout(r, 150))
  t.same(echoed, ['no push'], 'no push within the window: one echo')
  once.repeated(old, message(3, 0), () => echoed.push('twice'))
  once.repeated(old, message(4, 500), () => echoed.push('older than the window'))
  t.same(echoed, ['no push', 'older than the window'], 'a message is echoed once per socket; an old one at once')
  once.clear()
})
