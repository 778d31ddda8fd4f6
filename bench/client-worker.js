/**
 * One load process of the benchmark (forked by bench/run.js): holds up to ~9,500
 * plain `ws` client sockets bound to one 127.0.0.x source address, answers the
 * protocol's keep-alives, and records when each benchmark notification arrives.
 *
 * Titles carry the timing: "bench <phase> <seq> <t_us>" where t_us is the intended
 * send time on CLOCK_MONOTONIC (process.hrtime), which every process on the
 * machine shares. A frame is matched by a regular expression on its text, so the
 * client does not pay a JSON.parse per frame.
 *
 * Protocols: 'ours' (/ws/notifications?token=, ready on `initial`), 'floor' (the
 * bare ws reference, same shape), 'sio' (Engine.IO v4 / Socket.IO v5 over a raw
 * websocket: open packet "0{..}", connect "40{auth}", ping "2" -> pong "3",
 * events "42[...]").
 */
import WebSocket from 'ws'

const TITLE = /"title":"bench (\w) (\d+) (\d+)"/
const nowUs = () => Number(process.hrtime.bigint() / 1000n)

/** phase -> { seqs: number[], lats: number[] } */
let received = new Map()
const sockets = []
let unexpectedCloses = 0
const closeCodes = {}
let stopping = false

function record(text, uid) {
  const m = TITLE.exec(text)
  if (!m) return
  const lat = nowUs() - Number(m[3])
  let r = received.get(m[1])
  if (!r) received.set(m[1], (r = { seqs: [], uids: [], lats: [] }))
  r.seqs.push(Number(m[2]))
  r.uids.push(uid)
  r.lats.push(lat)
}

function open(url, protocol, token, localAddress, uid) {
  return new Promise((resolve) => {
    let ready = false
    const ws = new WebSocket(url, {
      localAddress,
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: 60_000,
    })
    const done = (ok, why) => {
      if (ready) return
      ready = true
      resolve(ok ? ws : why)
    }
    ws.on('message', (data) => {
      const text = data.toString()
      if (protocol === 'sio') {
        const c = text.charCodeAt(0)
        if (c === 50 /* '2' ping */ && text.length === 1) return ws.send('3')
        if (text.startsWith('0{')) return ws.send(`40${JSON.stringify({ token })}`)
        if (text.startsWith('40')) return done(true)
        if (text.startsWith('44')) return done(false, `connect_error ${text.slice(0, 80)}`)
        if (text.startsWith('42')) return record(text, uid)
        return
      }
      if (!ready) {
        if (text.startsWith('{"type":"initial"')) return done(true)
      }
      record(text, uid)
    })
    ws.on('error', (err) => done(false, err.code || err.message))
    ws.on('close', (code) => {
      done(false, `closed ${code}`)
      if (!stopping) {
        unexpectedCloses++
        closeCodes[code] = (closeCodes[code] ?? 0) + 1
      }
    })
  })
}

async function connectAll({ servers, protocol, users, localAddress, concurrency }) {
  const started = performance.now()
  let next = 0
  let ok = 0
  const failures = {}
  async function lane() {
    while (next < users.length) {
      const i = next++
      const [uid, token] = users[i]
      const base = servers[i % servers.length]
      const url = protocol === 'sio' ? `${base}/socket.io/?EIO=4&transport=websocket` : `${base}?token=${token}`
      const result = await open(url, protocol, token, localAddress, uid)
      if (typeof result === 'string') failures[result] = (failures[result] ?? 0) + 1
      else {
        sockets.push(result)
        ok++
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return { ok, failures, ms: performance.now() - started }
}

process.on('message', async (msg) => {
  switch (msg.cmd) {
    case 'connect': {
      const result = await connectAll(msg)
      process.send({ ev: 'connected', ...result })
      break
    }
    case 'count': {
      const r = received.get(msg.phase)
      process.send({ ev: 'count', n: r ? r.seqs.length : 0 })
      break
    }
    case 'collect': {
      const out = {}
      for (const [phase, r] of received) out[phase] = r
      received = new Map()
      process.send({ ev: 'collected', received: out, open: sockets.filter((s) => s.readyState === 1).length, unexpectedCloses, closeCodes })
      break
    }
    case 'close': {
      stopping = true
      for (const s of sockets) s.terminate()
      process.send({ ev: 'closed' })
      setTimeout(() => process.exit(0), 50)
      break
    }
  }
})
// Never outlive the benchmark.
process.on('disconnect', () => process.exit(0))
process.send({ ev: 'ready' })
