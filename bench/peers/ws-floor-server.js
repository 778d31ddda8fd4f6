/**
 * The floor: a bare `ws` hub with no database and no HTML. A socket authenticates
 * with the same JWT (?token=), gets `{"type":"initial"}`; POST /api/notifications
 * (admin bearer) sends a notification frame to each named user's sockets (ids from
 * a counter), or, with `{all:true}`, one frame serialised once to every socket.
 * Nothing is stored: this is what the transport alone costs on this machine.
 * Env: PORT, JWT_SECRET, ADMIN_ID.
 */
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { adminNotificationBody, reply, tokenChecker } from './common.js'

const check = tokenChecker(process.env.JWT_SECRET)
const adminId = Number(process.env.ADMIN_ID)
const users = new Map()
let nextId = 1

const http = createServer(async (req, res) => {
  const body = await adminNotificationBody(req, res, check, adminId)
  if (!body) return
  const template = {
    kind: body.kind ?? 'system', title: String(body.title), message: String(body.message ?? ''),
    link_url: body.link_url ?? null, link_text: body.link_text ?? null, icon: 'bell',
    actor: { id: adminId, username: 'benchadmin' }, created_at: new Date().toISOString(), read: false,
  }
  if (body.all) {
    const data = JSON.stringify({ type: 'notification', notification: template })
    let n = 0
    for (const set of users.values()) for (const ws of set) { ws.send(data); n++ }
    return reply(res, 201, { created: n })
  }
  const ids = []
  for (const userId of body.user_ids) {
    const id = nextId++
    ids.push(id)
    const set = users.get(userId)
    if (!set) continue
    const data = JSON.stringify({ type: 'notification', notification: { id, ...template }, unread_count: 1 })
    for (const ws of set) ws.send(data)
  }
  return reply(res, 201, { created: ids.length, ids })
})

const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false })
wss.on('connection', (ws, req) => {
  const token = new URL(req.url, 'http://x').searchParams.get('token')
  const claims = check(token)
  if (!claims) return ws.close(4401, 'unauthorized')
  const userId = claims.sub
  let set = users.get(userId)
  if (!set) users.set(userId, (set = new Set()))
  set.add(ws)
  ws.on('close', () => {
    set.delete(ws)
    if (set.size === 0) users.delete(userId)
  })
  ws.send('{"type":"initial"}')
})

http.listen(Number(process.env.PORT), '127.0.0.1')
