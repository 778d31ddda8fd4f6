/**
 * The peer: a minimal Socket.IO 4 notification server doing the same job as ours.
 * A socket authenticates with the same JWT (handshake `auth.token`), joins the room
 * `user:<id>` and gets an `initial` event with its unread count. POST
 * /api/notifications (admin bearer token) inserts the rows in the same SQLite
 * table (one transaction, same columns), then emits `notification` with the row
 * and the unread count to each user's room; `{all:true}` inserts one row per user
 * (one INSERT ... SELECT) and emits once to everyone (`io.emit`, encoded once).
 * Env: PORT, DATABASE_PATH (a database our server created), JWT_SECRET, ADMIN_ID.
 */
import Database from 'better-sqlite3'
import { createServer } from 'node:http'
import { Server } from 'socket.io'
import { adminNotificationBody, reply, tokenChecker } from './common.js'

const check = tokenChecker(process.env.JWT_SECRET)
const adminId = Number(process.env.ADMIN_ID)
const db = new Database(process.env.DATABASE_PATH)
db.pragma('journal_mode = WAL')
db.pragma('synchronous = NORMAL')
db.pragma('busy_timeout = 5000')

const insert = db.prepare(`INSERT INTO notifications (user_id, kind, title, message, link_url, link_text, icon, actor_id, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`).pluck()
const insertAll = db.prepare(`INSERT INTO notifications (user_id, kind, title, message, link_url, link_text, icon, actor_id, created_at)
  SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM users ORDER BY id`)
const countUnread = db.prepare('SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL').pluck()
const notifyUsers = db.transaction((userIds, n) =>
  userIds.map((userId) => insert.get(userId, n.kind, n.title, n.message, n.link_url, n.link_text, n.icon, adminId, n.createdAt)),
)

const http = createServer(async (req, res) => {
  const body = await adminNotificationBody(req, res, check, adminId)
  if (!body) return
  const createdAt = Date.now()
  const n = {
    kind: body.kind ?? 'system',
    title: String(body.title),
    message: String(body.message ?? ''),
    link_url: body.link_url ?? null,
    link_text: body.link_text ?? null,
    icon: 'bell',
    createdAt,
  }
  const template = {
    kind: n.kind, title: n.title, message: n.message, link_url: n.link_url, link_text: n.link_text, icon: n.icon,
    actor: { id: adminId, username: 'benchadmin' }, created_at: new Date(createdAt).toISOString(), read: false,
  }
  if (body.all) {
    const r = insertAll.run(n.kind, n.title, n.message, n.link_url, n.link_text, n.icon, adminId, createdAt)
    io.emit('notification', { notification: template })
    return reply(res, 201, { created: r.changes })
  }
  const userIds = body.user_ids
  const ids = notifyUsers(userIds, n)
  userIds.forEach((userId, i) => {
    io.to(`user:${userId}`).emit('notification', { notification: { id: ids[i], ...template }, unread_count: countUnread.get(userId) })
  })
  return reply(res, 201, { created: ids.length, ids })
})

const io = new Server(http, { serveClient: false, transports: ['websocket'], perMessageDeflate: false })
io.use((socket, next) => {
  const claims = check(socket.handshake.auth?.token)
  if (!claims) return next(new Error('unauthorized'))
  socket.data.userId = claims.sub
  next()
})
io.on('connection', (socket) => {
  const userId = socket.data.userId
  socket.join(`user:${userId}`)
  socket.emit('initial', { unread_count: countUnread.get(userId) })
})

http.listen(Number(process.env.PORT), '127.0.0.1')
