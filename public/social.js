// Pulse social: the conversation page's behaviour beyond what htmx swaps.
// - send over the live socket with a client_id; after 4 s without the echo (or with
//   no socket) send the same client_id over HTTP: the server stores it once; with no
//   network at all the message waits and goes out when the socket is back
// - every message element appears once (the first copy wins; a pending one is replaced)
// - scroll to new messages only when the reader is already at the bottom
// - keep the scroll position when earlier messages are loaded
// - typing frames (at most one every 2 s while typing, a stop when done)
// - mark the conversation read when someone else's message arrives in a visible tab
// - on every socket (re)connection, fetch the messages missed meanwhile
(function () {
  'use strict'
  const ECHO_TIMEOUT_MS = 4000
  const TYPING_EVERY_MS = 2000
  const BOTTOM_SLACK_PX = 40

  const root = document.getElementById('conversation')
  if (!root) return
  const conversationId = Number(root.dataset.conversationId)
  const userId = Number(root.dataset.userId)
  const scroller = document.getElementById('conversation-scroll')
  const list = document.getElementById('conversation-' + conversationId + '-messages')
  const form = document.getElementById('compose')
  const textarea = form && form.querySelector('textarea[name=content]')
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || ''
  const liveSocket = () => {
    const socket = document.getElementById('live')?._htmx?.ws?.connection?.socket
    return socket && socket.readyState === WebSocket.OPEN ? socket : null
  }
  const newClientId = () =>
    window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2)

  // ---------------------------------------------------------------- scrolling
  let atBottom = true
  let lastHeight = scroller.scrollHeight
  const isAtBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= BOTTOM_SLACK_PX
  const toBottom = () => {
    scroller.scrollTop = scroller.scrollHeight
    atBottom = true
  }
  scroller.addEventListener('scroll', () => {
    atBottom = isAtBottom()
    lastHeight = scroller.scrollHeight
  })
  toBottom()

  // ---------------------------------------------------------------- one copy of each message
  let readTimer = null
  function markRead() {
    clearTimeout(readTimer)
    readTimer = setTimeout(() => {
      if (document.hidden) return
      fetch('/messages/' + conversationId + '/read', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRF-Token': csrf(), 'HX-Request': 'true' },
      }).catch(() => {})
    }, 150)
  }
  let unreadWhileHidden = false
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && unreadWhileHidden) {
      unreadWhileHidden = false
      markRead()
    }
  })

  const observer = new MutationObserver((records) => {
    let appended = false
    let prepended = false
    let mine = false
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1 || !node.classList.contains('message') || !node.isConnected) continue
        // The first element with this id wins; later copies (a push after the HTTP answer,
        // a retried send echoed again) are dropped.
        if (node.id && document.getElementById(node.id) !== node) {
          node.remove()
          continue
        }
        const pending = node.dataset.clientId && list.querySelector('[data-pending-client-id="' + CSS.escape(node.dataset.clientId) + '"]')
        if (pending && pending !== node) pending.replaceWith(node)
        if (Number(node.dataset.senderId) === userId) mine = true
        else if (node.dataset.messageId) {
          if (document.hidden) unreadWhileHidden = true
          else markRead()
        }
        if (record.nextSibling && !pending) prepended = true
        else appended = true
      }
    }
    if (prepended && !appended) scroller.scrollTop += scroller.scrollHeight - lastHeight
    else if (appended && (atBottom || mine)) toBottom()
    lastHeight = scroller.scrollHeight
  })
  observer.observe(list, { childList: true })

  // ---------------------------------------------------------------- sending
  function pendingElement(clientId, content) {
    const li = document.createElement('li')
    li.className = 'message mine pending'
    li.id = 'pending-' + clientId
    li.dataset.pendingClientId = clientId
    li.dataset.senderId = String(userId)
    const bubble = document.createElement('div')
    bubble.className = 'bubble'
    bubble.textContent = content
    const meta = document.createElement('div')
    meta.className = 'message-meta'
    meta.textContent = 'Sending…'
    li.append(bubble, meta)
    return li
  }

  function setPendingState(clientId, text, retry) {
    const pending = document.getElementById('pending-' + clientId)
    if (!pending) return
    pending.classList.toggle('failed', !!retry)
    const meta = pending.querySelector('.message-meta')
    meta.textContent = text
    if (retry) {
      const button = document.createElement('button')
      button.type = 'button'
      button.className = 'link retry'
      button.textContent = 'Retry'
      button.addEventListener('click', () => deliver(clientId, content(pending)))
      meta.append(' ', button)
    }
  }
  const content = (pending) => pending.querySelector('.bubble').textContent

  // Messages written while there is no connection at all wait here (same client_id) and
  // go out over the socket as soon as it is back.
  const waiting = new Map()

  async function sendOverHttp(clientId, text) {
    let res
    try {
      const body = new URLSearchParams({ content: text, client_id: clientId, _csrf: csrf() })
      res = await fetch('/messages/' + conversationId, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRF-Token': csrf(), 'HX-Request': 'true', 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      })
    } catch {
      // No network: keep it, and send it when the connection is back.
      if (!document.getElementById('pending-' + clientId)) return
      waiting.set(clientId, text)
      return setPendingState(clientId, 'Sending… (waiting for the connection)', false)
    }
    if (!res.ok) {
      return setPendingState(clientId, res.status === 403 ? 'Not sent: you cannot send messages here.' : 'Not sent.', true)
    }
    const template = document.createElement('template')
    template.innerHTML = (await res.text()).trim()
    const message = template.content.querySelector('li.message')
    const current = document.getElementById('pending-' + clientId)
    if (!message || !current) return // the socket's copy arrived first
    if (document.getElementById(message.id)) current.remove()
    else current.replaceWith(message)
  }

  function deliver(clientId, text) {
    waiting.delete(clientId)
    setPendingState(clientId, 'Sending…', false)
    const socket = liveSocket()
    if (!socket) return sendOverHttp(clientId, text)
    try {
      socket.send(JSON.stringify({ type: 'send_message', conversation_id: conversationId, client_id: clientId, content: text }))
    } catch {
      return sendOverHttp(clientId, text)
    }
    // No echo in time (a half-open socket): the same client_id over HTTP is stored once.
    setTimeout(() => {
      if (document.getElementById('pending-' + clientId) && !waiting.has(clientId)) sendOverHttp(clientId, text)
    }, ECHO_TIMEOUT_MS)
  }

  function send(text) {
    const idField = form.querySelector('input[name=client_id]')
    const clientId = idField.value || newClientId()
    idField.value = newClientId() // the next message gets its own id
    list.append(pendingElement(clientId, text))
    toBottom()
    deliver(clientId, text)
  }

  document.addEventListener('htmx:ws:after:connection', () => {
    for (const [clientId, text] of waiting) deliver(clientId, text)
  })

  // ---------------------------------------------------------------- typing
  let lastTypingSent = 0
  function typing(isTyping) {
    const socket = liveSocket()
    if (!socket) return
    if (isTyping) {
      if (Date.now() - lastTypingSent < TYPING_EVERY_MS) return
      lastTypingSent = Date.now()
    } else {
      if (!lastTypingSent) return
      lastTypingSent = 0
    }
    socket.send(JSON.stringify({ type: 'typing', conversation_id: conversationId, is_typing: isTyping }))
  }

  if (form && textarea) {
    form.addEventListener('submit', (e) => {
      e.preventDefault()
      const content = textarea.value.trim()
      if (!content) return
      textarea.value = ''
      lastTypingSent = 0 // sending ends the indicator on the server
      send(content)
      textarea.focus()
    })
    textarea.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault()
        form.requestSubmit()
      }
    })
    textarea.addEventListener('input', () => typing(textarea.value.trim() !== ''))
    textarea.addEventListener('blur', () => typing(false))
  }

  // ---------------------------------------------------------------- catching up
  // On every (re)connection, fetch what arrived between the page render (or the
  // socket's loss) and now; copies the socket also delivers are dropped above.
  document.addEventListener('htmx:ws:after:connection', async () => {
    const ids = Array.from(list.querySelectorAll('li.message[data-message-id]')).map((li) => Number(li.dataset.messageId))
    const after = ids.length ? Math.max(...ids) : 0
    try {
      const res = await fetch('/messages/' + conversationId + '/newer?after=' + after, { credentials: 'same-origin', headers: { 'HX-Request': 'true' } })
      if (!res.ok) return
      const template = document.createElement('template')
      template.innerHTML = await res.text()
      // In id order, even if the socket already delivered a later one.
      for (const li of template.content.querySelectorAll('li.message')) {
        const id = Number(li.dataset.messageId)
        const later = Array.from(list.querySelectorAll('li.message[data-message-id]')).find((el) => Number(el.dataset.messageId) > id)
        if (later) list.insertBefore(li, later)
        else list.append(li)
      }
    } catch {
      /* the next reconnect tries again */
    }
  })
})()
