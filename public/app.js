// Pulse: the small amount of script the pages need beyond htmx.
// - CSRF header on every htmx request
// - the live socket (htmx hx-ws): resume with since=<last id>, poll counts while it is down
// - toasts that leave after a few seconds, desktop notifications when allowed
(function () {
  'use strict'
  const TOAST_MS = 6000
  const POLL_MS = 30000
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content

  let lastId = null
  let pollTimer = null

  // Keep the socket of a background tab open (hx-ws closes it by default): a notification
  // product must reach a tab the user is not looking at, and that is when desktop
  // notifications are shown. Read by hx-ws when it creates the connection.
  if (window.htmx) htmx.config.ws = Object.assign({}, htmx.config.ws, { pauseOnBackground: false })

  document.addEventListener('htmx:config:request', (e) => {
    const token = csrf()
    if (token) e.detail.ctx.request.headers['X-CSRF-Token'] = token
  })

  // ---------------------------------------------------------------- socket
  document.addEventListener('htmx:ws:before:connection', (e) => {
    const conn = e.detail.connection
    // First connection: resume after the newest id the server rendered into this page, so
    // notifications created between the page render and the socket opening are replayed.
    const rendered = document.getElementById('live')?.dataset.since
    if (lastId === null && rendered && /^\d+$/.test(rendered)) lastId = Number(rendered)
    const url = new URL(conn.url)
    if (lastId !== null) url.searchParams.set('since', String(lastId))
    conn.url = url.toString()
  })

  document.addEventListener('htmx:ws:after:connection', (e) => {
    stopPolling()
    setStatus(null)
    // Live topics of this page (e.g. a blog post's thread) are re-joined on every connection.
    const socket = e.detail.connection.socket
    document.querySelectorAll('[data-ws-topic]').forEach((el) => {
      socket.send(JSON.stringify({ type: 'subscribe', topic: el.dataset.wsTopic }))
    })
  })

  document.addEventListener('htmx:ws:close', (e) => {
    const code = e.detail.code
    if (e.detail.reason === 'removed') return
    if (code >= 4400 && code < 4500) {
      // 44xx: credentials or limits; retrying will not help until the user acts.
      setStatus(code === 4401 ? 'You were logged out. Log in again to get live updates.' : 'Live updates are off in this tab (' + code + ').')
    } else {
      setStatus('Reconnecting… counts refresh every 30 s.')
    }
    startPolling()
  })

  document.addEventListener('htmx:ws:after:message:incoming', (e) => {
    let frame
    try {
      frame = JSON.parse(e.detail.message.data)
    } catch {
      return
    }
    if (frame.type === 'initial') lastId = Math.max(lastId ?? 0, frame.last_id)
    if (frame.type === 'notification') {
      lastId = Math.max(lastId ?? 0, frame.notification.id)
      desktopNotify(frame.notification)
    }
    // hx-ws reopens a paused background tab without htmx:ws:before:connection: keep the
    // connection's own URL at the newest id so that reopening replays nothing twice.
    if (lastId !== null && e.detail.connection) {
      const url = new URL(e.detail.connection.url)
      url.searchParams.set('since', String(lastId))
      e.detail.connection.url = url.toString()
    }
    tidy()
    document.dispatchEvent(new CustomEvent('pulse:frame', { detail: frame }))
  })

  function setStatus(text) {
    const el = document.getElementById('connection-status')
    if (!el) return
    el.hidden = !text
    el.textContent = text || ''
  }

  // ---------------------------------------------------------------- polling fallback
  function startPolling() {
    if (pollTimer) return
    pollTimer = setInterval(pollCounts, POLL_MS)
  }
  function stopPolling() {
    clearInterval(pollTimer)
    pollTimer = null
  }
  async function pollCounts() {
    try {
      const res = await fetch('/api/notifications/unread-count', { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      if (res.status === 401) return stopPolling()
      if (res.ok) setBadges(await res.json())
    } catch {
      /* offline: try again next tick */
    }
  }
  function setBadge(id, n) {
    const el = document.getElementById(id)
    if (!el) return
    el.dataset.count = String(n)
    el.textContent = n > 99 ? '99+' : String(n)
    el.classList.toggle('empty', !n)
  }
  function setBadges(counts) {
    setBadge('notif-badge', counts.unread_count)
    setBadge('msg-badge', counts.unread_messages_count)
  }

  // ---------------------------------------------------------------- toasts
  // A notification pushed again under the same id (grouped likes) replaces its toast and row.
  function tidy() {
    const toasts = document.getElementById('toasts')
    if (toasts) {
      const seen = new Set()
      Array.from(toasts.querySelectorAll('.toast')).reverse().forEach((t) => {
        const id = t.dataset.notificationId
        if (id && seen.has(id)) return t.remove()
        if (id) seen.add(id)
        if (!t.dataset.timer) {
          t.dataset.timer = '1'
          setTimeout(() => dismiss(t), TOAST_MS)
        }
      })
    }
    const list = document.getElementById('notification-list')
    if (list) {
      const seen = new Set()
      list.querySelectorAll(':scope > li[id]').forEach((li) => {
        if (seen.has(li.id)) li.remove()
        else seen.add(li.id)
      })
      list.parentElement?.querySelector('.empty-state')?.remove()
    }
  }
  function dismiss(toast) {
    toast.classList.add('leaving')
    setTimeout(() => toast.remove(), 300)
  }
  document.addEventListener('click', (e) => {
    const close = e.target.closest?.('.toast-close')
    if (close) dismiss(close.closest('.toast'))
  })

  // ---------------------------------------------------------------- desktop notifications
  function desktopNotify(n) {
    if (!('Notification' in window) || Notification.permission !== 'granted' || !document.hidden) return
    const note = new Notification(n.title, { body: n.message, tag: 'pulse-' + n.id })
    note.onclick = () => {
      window.focus()
      if (n.link_url) location.href = n.link_url
    }
  }
  function initDesktopButton() {
    const button = document.getElementById('enable-desktop')
    if (!button || !('Notification' in window) || Notification.permission !== 'default') return
    button.hidden = false
    button.addEventListener('click', async () => {
      await Notification.requestPermission()
      button.hidden = true
    })
  }

  document.addEventListener('DOMContentLoaded', initDesktopButton)
  document.addEventListener('htmx:after:swap', initDesktopButton)
})()
