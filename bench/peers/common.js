/** What both references share: token check (same JWT secret as ours), a tiny JSON body reader. */
import { createVerifier } from 'fast-jwt'

export function tokenChecker(secret) {
  const verify = createVerifier({ key: secret, algorithms: ['HS256'] })
  return (token) => {
    if (!token) return null
    try {
      const claims = verify(token)
      return typeof claims.sub === 'number' ? claims : null
    } catch {
      return null
    }
  }
}

export function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString()))
      } catch (err) {
        reject(err)
      }
    })
    req.on('error', reject)
  })
}

export function reply(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export function bearer(req) {
  const h = req.headers.authorization
  return h && h.startsWith('Bearer ') ? h.slice(7) : null
}

/**
 * The one route both references serve: an admin's POST /api/notifications. Answers
 * 404/403/400 itself and returns null then; otherwise the parsed body.
 */
export async function adminNotificationBody(req, res, check, adminId) {
  if (req.method !== 'POST' || req.url !== '/api/notifications') {
    reply(res, 404, { error: 'not_found' })
    return null
  }
  const claims = check(bearer(req))
  if (!claims || claims.sub !== adminId) {
    reply(res, 403, { error: 'forbidden' })
    return null
  }
  try {
    return await readJson(req)
  } catch {
    reply(res, 400, { error: 'bad_request' })
    return null
  }
}
