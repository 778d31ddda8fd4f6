/**
 * The benchmark's HTTP publisher: raw keep-alive lanes posting to /api/notifications
 * (one request in flight per lane) and the open-loop rate driver of the latency phases.
 */
import net from 'node:net'

const nowUs = () => Number(process.hrtime.bigint() / 1000n)
class Lane {
  constructor(port, token) {
    this.port = port
    this.prefix = `POST /api/notifications HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n`
    this.socket = net.connect({ port, host: '127.0.0.1', noDelay: true })
    this.socket.setEncoding('latin1')
    this.buf = ''
    this.current = null
    this.socket.on('data', (d) => this.onData(d))
    this.socket.on('error', (err) => this.fail(err))
    this.socket.on('close', () => this.fail(new Error('connection closed')))
  }
  send(body, cb) {
    this.current = cb
    this.socket.write(`${this.prefix}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  }
  onData(d) {
    this.buf += d
    for (;;) {
      const he = this.buf.indexOf('\r\n\r\n')
      if (he < 0) return
      const head = this.buf.slice(0, he)
      const m = /content-length: *(\d+)/i.exec(head)
      const len = m ? Number(m[1]) : 0
      if (this.buf.length < he + 4 + len) return
      const status = Number(head.slice(9, 12))
      const body = this.buf.slice(he + 4, he + 4 + len)
      this.buf = this.buf.slice(he + 4 + len)
      const cb = this.current
      this.current = null
      cb?.(status, body)
    }
  }
  fail(err) {
    const cb = this.current
    this.current = null
    cb?.(0, String(err.message))
  }
  close() {
    this.socket.destroy()
  }
}

export class Publisher {
  constructor(ports, token, lanesPerPort) {
    this.lanes = []
    for (let i = 0; i < lanesPerPort; i++) for (const p of ports) this.lanes.push(new Lane(p, token))
    this.idle = [...this.lanes]
    this.queue = []
  }
  post(body) {
    return new Promise((resolveP) => {
      this.queue.push({ body, done: resolveP })
      this.pump()
    })
  }
  pump() {
    while (this.idle.length && this.queue.length) {
      const lane = this.idle.shift()
      const { body, done } = this.queue.shift()
      lane.send(body, (status, text) => {
        this.idle.push(lane)
        done({ status, text })
        this.pump()
      })
    }
  }
  close() {
    for (const l of this.lanes) l.close()
  }
}

function coprimeStride(n) {
  const gcd = (a, b) => (b ? gcd(b, a % b) : a)
  for (const s of [7919, 7927, 7933, 7937, 104729]) if (gcd(s, n) === 1) return s
  return 1
}

/**
 * Posts `rate` notifications per second for `seconds`, open loop (a late answer
 * does not delay the next request), `batch` users per POST. The title of each
 * carries its intended send time, so queueing anywhere counts as latency. When
 * more than 3 s of requests wait unanswered the server is saturated: the phase
 * stops sending (bounded time) and says so.
 */
export async function publishAtRate(pub, users, { rate, batch, seconds, phase }) {
  const posts = Math.round((rate * seconds) / batch)
  const postRate = rate / batch
  const stride = coprimeStride(users.length)
  const startUs = nowUs() + 20_000
  const httpLat = []
  let errors = 0
  const pending = []
  let i = 0
  let seq = 0
  let saturated = false
  const firstErrors = []
  await new Promise((resolveP) => {
    const tick = () => {
      const elapsed = nowUs() - startUs
      const due = elapsed < 0 ? 0 : Math.min(posts, Math.floor((elapsed * postRate) / 1e6) + 1)
      if (pub.queue.length > postRate * 3) {
        saturated = true
        return resolveP()
      }
      for (; i < due; i++) {
        const t = Math.round(startUs + (i * 1e6) / postRate)
        const ids = []
        for (let b = 0; b < batch; b++) ids.push(users[((i * batch + b) * stride) % users.length][0])
        // One title per POST: each user's frame carries the POST's seq; the first seq of the batch names it.
        const first = seq
        seq += batch
        const body = `{"user_ids":[${ids.join(',')}],"title":"bench ${phase} ${first} ${t}","message":"load test","kind":"system"}`
        pending.push(
          pub.post(body).then(({ status, text }) => {
            if (status === -1) return
            if (status !== 201) {
              errors++
              if (firstErrors.length < 3) firstErrors.push(`${status} ${text.slice(0, 120)}`)
            } else httpLat.push((nowUs() - t) / 1000)
          }),
        )
      }
      if (i < posts) setTimeout(tick, 1)
      else resolveP()
    }
    tick()
  })
  const sentUs = nowUs() - startUs
  // Saturated: requests still queued are never sent and not counted as sent.
  const unsent = saturated ? pub.queue.splice(0) : []
  for (const q of unsent) q.done({ status: -1, text: 'not sent' })
  await Promise.all(pending)
  const sentPosts = i - unsent.length
  return { total: sentPosts * batch, posts: sentPosts, errors, firstErrors, httpLat, saturated, achievedRate: (sentPosts * batch) / (sentUs / 1e6) }
}
