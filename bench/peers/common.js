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
