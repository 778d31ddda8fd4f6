// Pulse: the small amount of script the pages need beyond htmx.
// - CSRF header on every htmx request
// - the live socket (htmx hx-ws): resume with since=<last id>, poll counts while it is down
// - one tab of a user shows toasts and desktop notifications (BroadcastChannel), the others
//   only update badge and rows
// - toasts: at most three, the rest folded into "+N more"; paused while pointed at or
//   focused; Escape dismisses the newest; read out once through the page's one live region
// - the navbar's menu on a phone; focus on the first wrong field after a failed form
// - the inbox's controls script and stylesheet, loaded with the first toast where the page
//   did not bring them
(function () {
  'use strict'
  const POLL_MS = 30000
  const MAX_TOASTS = 3
  const DEFAULT_TOAST_SECONDS = 6
  const TOAST_SECONDS_KEY = 'pulse.toastSeconds'
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content
  const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches

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

  // ---------------------------------------------------------------- which tab shows toasts
  // Every tab of the user says hello on one BroadcastChannel and tells the others when it
  // gains focus or closes. Each tab computes the same answer from what it heard: the tab
  // focused most recently shows toasts and desktop notifications; when it closes, the one
  // focused before it takes over. Without BroadcastChannel every tab shows them.
  const tabs = (function () {
    const user = document.getElementById('live')?.dataset.user
    const id = Date.now().toString(36) + Math.random().toString(36).slice(2)
    let focusedAt = document.hasFocus() ? Date.now() : 0
    const peers = new Map()
    let channel = null
    const post = (type) => channel && channel.postMessage({ type, id, focusedAt })
    const isLeader = () => {
      for (const [peer, at] of peers) if (at > focusedAt || (at === focusedAt && peer > id)) return false
      return true
    }
    const changed = () => {
      document.documentElement.dataset.toasts = isLeader() ? 'shown' : 'silent'
      if (!isLeader()) arrangeToasts()
    }
    if (user && 'BroadcastChannel' in window) {
      channel = new BroadcastChannel('pulse-tabs-' + user)
      channel.onmessage = (e) => {
        const m = e.data || {}
        if (!m.id || m.id === id) return
        if (m.type === 'bye') peers.delete(m.id)
        else peers.set(m.id, Number(m.focusedAt) || 0)
        if (m.type === 'hello') post('here')
        changed()
      }
      post('hello')
      window.addEventListener('focus', () => {
        focusedAt = Date.now()
        post('focus')
        changed()
      })
      window.addEventListener('pagehide', () => post('bye'))
      window.addEventListener('pageshow', (e) => e.persisted && post('hello'))
    }
    document.documentElement.dataset.toasts = 'shown'
    return { isLeader }
  })()

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
    setLiveDown(false)
    // Live topics of this page (e.g. a blog post's thread) are re-joined on every connection.
    const socket = e.detail.connection.socket
    document.querySelectorAll('[data-ws-topic]').forEach((el) => {
      socket.send(JSON.stringify({ type: 'subscribe', topic: el.dataset.wsTopic }))
    })
  })

  document.addEventListener('htmx:ws:close', (e) => {
    const code = e.detail.code
    if (e.detail.reason === 'removed') return
    setLiveDown(true)
    if (code >= 4400 && code < 4500) {
      // 44xx: credentials or limits; retrying will not help until the user acts.
      setStatus(code === 4401 ? 'You were logged out. Log in again to get live updates.' : 'Live updates are off in this tab (' + code + '). Reload the page to try again.')
    } else {
      setStatus('Connection lost. Reconnecting… New notifications will show up once it is back.')
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
      loadInbox()
      lastId = Math.max(lastId ?? 0, frame.notification.id)
      // The user's preferences and quiet hours decide (alert); older servers send no alert.
      if (frame.alert?.desktop !== false) desktopNotify(frame.notification)
    }
    if (typeof frame.unread_count === 'number') setSummary(frame.unread_count)
    // hx-ws reopens a paused background tab without htmx:ws:before:connection: keep the
    // connection's own URL at the newest id so that reopening replays nothing twice.
    if (lastId !== null && e.detail.connection) {
      const url = new URL(e.detail.connection.url)
      url.searchParams.set('since', String(lastId))
      e.detail.connection.url = url.toString()
    }
    dedupeRows()
    document.dispatchEvent(new CustomEvent('pulse:frame', { detail: frame }))
  })

  let lastStatus = null
  function setStatus(text) {
    const el = document.getElementById('connection-status')
    if (!el) return
    el.hidden = !text
    el.textContent = text || ''
    if (text && text !== lastStatus) announce(text)
    lastStatus = text
  }

  // While this page's own socket is down nobody's presence is known.
  function setLiveDown(down) {
    document.documentElement.classList.toggle('live-down', down)
    document.querySelectorAll('.presence-dot').forEach((dot) => {
      if (down) {
        if (!dot.dataset.knownLabel) dot.dataset.knownLabel = dot.getAttribute('aria-label') || ''
        dot.setAttribute('aria-label', 'unknown')
        dot.title = 'Unknown while not connected'
      } else if (dot.dataset.knownLabel !== undefined) {
        dot.setAttribute('aria-label', dot.dataset.knownLabel)
        dot.title = dot.dataset.knownLabel === 'online' ? 'Online' : 'Offline'
        delete dot.dataset.knownLabel
      }
    })
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
  function setBadge(id, n, label) {
    const el = document.getElementById(id)
    if (!el) return
    el.dataset.count = String(n)
    el.textContent = n > 99 ? '99+' : String(n)
    el.setAttribute('aria-label', n + ' ' + label)
    el.classList.toggle('empty', !n)
  }
  function setBadges(counts) {
    setBadge('notif-badge', counts.unread_count, 'unread notifications')
    setBadge('msg-badge', counts.unread_messages_count, 'unread messages')
    setSummary(counts.unread_count)
  }
  function setSummary(n) {
    document.querySelectorAll('[data-unread-summary]').forEach((el) => {
      el.textContent = n + ' unread notification' + (n === 1 ? '' : 's')
    })
  }

  // ---------------------------------------------------------------- announcer
  // The page's one live region: each toast is read out once, in the tab that shows it.
  function announce(text) {
    const region = document.getElementById('announcer')
    if (!region) return
    const line = document.createElement('p')
    line.textContent = text
    region.append(line)
    while (region.childElementCount > 3) region.firstElementChild.remove()
  }
  window.pulseAnnounce = announce

  // ---------------------------------------------------------------- toasts
  const toastBox = document.getElementById('toasts')
  const announced = new Set()
  let paused = false

  function toastSeconds() {
    try {
      const stored = localStorage.getItem(TOAST_SECONDS_KEY)
      const n = stored === null ? NaN : Number(stored)
      return Number.isFinite(n) && n >= 0 ? n : DEFAULT_TOAST_SECONDS
    } catch {
      return DEFAULT_TOAST_SECONDS
    }
  }
  const liveToasts = () => (toastBox ? Array.from(toastBox.querySelectorAll('.toast:not(.leaving)')) : [])

  function arrangeToasts() {
    if (!toastBox) return
    // A notification pushed again under the same id (grouped likes) replaces its toast.
    const seen = new Set()
    liveToasts().reverse().forEach((t) => {
      const id = t.dataset.notificationId
      if (id && seen.has(id)) t.remove()
      else if (id) seen.add(id)
    })
    const toasts = liveToasts()
    if (!tabs.isLeader()) {
      // Another tab of this user shows it; this one only updates badge and rows.
      toasts.forEach((t) => t.remove())
      return setMore(0)
    }
    for (const t of toasts) {
      if (t.dataset.shown) continue
      t.dataset.shown = '1'
      startTimer(t)
      const title = t.querySelector('.toast-title')?.textContent || ''
      const key = t.dataset.notificationId + '\n' + title
      if (!announced.has(key)) {
        announced.add(key)
        const message = t.querySelector('.toast-message')?.textContent
        announce('New notification: ' + title + (message ? '. ' + message : ''))
      }
    }
    const folded = Math.max(0, toasts.length - MAX_TOASTS)
    toasts.forEach((t, i) => {
      if (t.hidden !== i < folded) t.hidden = i < folded
    })
    setMore(folded)
  }

  function setMore(n) {
    let more = toastBox.querySelector('.toast-more')
    if (!n) return more && more.remove()
    if (!more) {
      more = document.createElement('a')
      more.className = 'toast-more'
      more.href = '/notifications'
      toastBox.prepend(more)
    }
    const text = '+' + n + ' more'
    if (more.textContent !== text) more.textContent = text
    more.setAttribute('aria-label', n + ' more new notification' + (n === 1 ? '' : 's') + ': open the inbox')
  }

  function startTimer(t) {
    const seconds = toastSeconds()
    if (!seconds) return
    t._remaining = seconds * 1000
    if (!paused) runTimer(t)
  }
  function runTimer(t) {
    t._started = Date.now()
    t._timer = setTimeout(() => dismiss(t), t._remaining)
  }
  function pauseToasts() {
    if (paused) return
    paused = true
    for (const t of liveToasts()) {
      if (!t._timer) continue
      clearTimeout(t._timer)
      t._timer = null
      t._remaining -= Date.now() - t._started
    }
  }
  function resumeToasts() {
    if (!paused) return
    paused = false
    for (const t of liveToasts()) if (t._remaining != null && !t._timer) runTimer(t)
  }

  function dismiss(toast) {
    if (!toast || !toast.isConnected || toast.classList.contains('leaving')) return
    clearTimeout(toast._timer)
    toast._remaining = null
    const hadFocus = toast.contains(document.activeElement)
    toast.classList.add('leaving')
    arrangeToasts()
    if (hadFocus) {
      const next = liveToasts().filter((t) => !t.hidden).pop()
      if (next) next.querySelector('.toast-close')?.focus()
      else document.getElementById('main')?.focus()
    }
    setTimeout(() => toast.remove(), reducedMotion() ? 0 : 300)
  }

  if (toastBox) {
    new MutationObserver((records) => {
      if (records.some((r) => [...r.addedNodes, ...r.removedNodes].some((n) => n.classList?.contains('toast')))) arrangeToasts()
    }).observe(toastBox, { childList: true })
    toastBox.addEventListener('mouseenter', pauseToasts)
    toastBox.addEventListener('mouseleave', () => toastBox.contains(document.activeElement) || resumeToasts())
    toastBox.addEventListener('focusin', pauseToasts)
    toastBox.addEventListener('focusout', (e) => toastBox.contains(e.relatedTarget) || toastBox.matches(':hover') || resumeToasts())
  }

  document.addEventListener('click', (e) => {
    const close = e.target.closest?.('.toast-close')
    if (close) dismiss(close.closest('.toast'))
    const toggle = e.target.closest?.('.nav-toggle')
    if (toggle) setMenu(toggle.getAttribute('aria-expanded') !== 'true')
  })

  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return
    if (document.querySelector('.nav-toggle[aria-expanded="true"]')) {
      setMenu(false)
      document.querySelector('.nav-toggle')?.focus()
      return
    }
    const newest = liveToasts().filter((t) => !t.hidden).pop()
    if (newest) dismiss(newest)
  })

  function bindToastPreference() {
    const select = document.getElementById('toast-seconds')
    if (!select || select.dataset.bound) return
    select.dataset.bound = '1'
    select.value = String(toastSeconds())
    select.addEventListener('change', () => {
      try {
        localStorage.setItem(TOAST_SECONDS_KEY, select.value)
      } catch {
        /* private mode: the default stays */
      }
    })
  }

  // ---------------------------------------------------------------- rows
  function dedupeRows() {
    const list = document.getElementById('notification-list')
    if (!list) return
    const seen = new Set()
    list.querySelectorAll(':scope > li[id]').forEach((li) => {
      if (seen.has(li.id)) li.remove()
      else seen.add(li.id)
    })
  }

  // Another tab (or an action) read or unread rows: this page's rows say so too.
  document.addEventListener('pulse:frame', (e) => {
    const frame = e.detail
    if (frame.type !== 'notification_state' || typeof frame.read !== 'boolean') return
    const rows = frame.all ? document.querySelectorAll('#notification-list > li.notification') : (frame.ids || []).map((id) => document.getElementById('notification-' + id)).filter(Boolean)
    rows.forEach((row) => {
      row.classList.toggle('unread', !frame.read)
      if (frame.read) row.querySelector('form[action$="/read"]')?.remove()
    })
  })

  // ---------------------------------------------------------------- pushed controls
  // A pushed toast or row carries only the shell of its controls (place, state, thread noun:
  // a frame ~40% smaller); the markup views/partials/notification-controls.eta gives a page's
  // row is written here the moment it arrives, before it can be seen or reached with Tab
  // (a MutationObserver runs before the next paint). The menus' choices come when a menu
  // opens (public/inbox.js). test/browser/inbox.test.ts checks the two are the same.
  const NOUNS = ['post', 'conversation', 'invoice', 'person']
  function controlsHtml(id, place, state, noun) {
    const key = place + '-' + id
    const act = (action) => 'method="post" action="/notifications/' + id + '/' + action + '"'
    let html =
      '<button type="button" class="n-controls-toggle small secondary" aria-expanded="false" aria-controls="controls-' + key + '">' +
      '<span aria-hidden="true">&hellip;</span><span class="sr-only">Actions</span></button>\n<div class="n-controls-panel" id="controls-' + key + '">'
    if (place === 'row' && state === 'unread') {
      html += '<form ' + act('read') + ' hx-post="/notifications/' + id + '/read" hx-target="#notification-' + id + '" hx-swap="outerHTML"><button type="submit" class="small secondary">Mark read</button></form>\n'
    }
    if (state === 'archived') html += '<form ' + act('unarchive') + ' data-inbox="unarchive"><button type="submit" class="small secondary">Back to inbox</button></form>\n'
    else if (state === 'snoozed') html += '<form ' + act('unsnooze') + ' data-inbox="unsnooze"><button type="submit" class="small secondary">Back to inbox now</button></form>\n'
    else {
      html +=
        '<form ' + act('archive') + ' data-inbox="archive"><button type="submit" class="small">Done</button></form>\n' +
        '<details class="menu n-snooze" data-fill="snooze"><summary class="button small secondary">Snooze</summary><div class="menu-panel"></div></details>\n'
    }
    if (noun) {
      html +=
        '<details class="menu n-mute" data-fill="mute"><summary class="button small secondary">Mute</summary>\n' +
        '<form ' + act('mute') + ' class="menu-panel" data-inbox="mute" data-noun="' + noun + '"></form></details>\n'
    }
    return html + '<p class="n-control-error field-error" hidden></p>\n</div>\n'
  }
  function fillControls(el) {
    const d = el.dataset
    const id = Number(d.notification)
    const place = d.place === 'toast' ? 'toast' : 'row'
    const state = ['unread', 'read', 'archived', 'snoozed'].includes(d.state) ? d.state : 'read'
    const noun = NOUNS.includes(d.noun) ? d.noun : null
    for (const k of ['fill', 'place', 'state', 'noun']) delete d[k]
    if (!Number.isSafeInteger(id) || id <= 0) return
    el.innerHTML = controlsHtml(id, place, state, noun)
    if (window.htmx) htmx.process(el)
  }
  const SHELL = '.n-controls[data-fill="controls"]'
  new MutationObserver((records) => {
    for (const r of records) {
      for (const node of r.addedNodes) {
        if (node.nodeType !== 1) continue
        if (node.matches(SHELL)) fillControls(node)
        else node.querySelectorAll(SHELL).forEach(fillControls)
      }
    }
  }).observe(document.body, { childList: true, subtree: true })
  document.querySelectorAll(SHELL).forEach(fillControls)

  // ---------------------------------------------------------------- notification actions
  // Accept, Decline, Mark paid: public/actions.js (its address is on this script's tag) loads on
  // the first click of one, as most page views never use them.
  const actionsSrc = document.currentScript?.dataset.actions
  let actionsLoaded = null
  document.addEventListener('click', (e) => {
    const button = e.target.closest?.('.n-actions button[data-action-url]')
    if (!button || !actionsSrc) return
    actionsLoaded ??= new Promise((resolve, reject) => {
      const script = document.createElement('script')
      script.src = actionsSrc
      script.onload = resolve
      script.onerror = () => {
        actionsLoaded = null
        reject(new Error('actions.js did not load'))
      }
      document.body.append(script)
    })
    actionsLoaded.then(() => window.pulseActions.run(button), () => {})
  })

  // A Reply link opens a post at its comment box (#comment-form-N): the box gets the focus.
  function focusCommentBox() {
    const m = /^#comment-form-(\d+)$/.exec(location.hash)
    if (m) document.querySelector('#comment-form-' + m[1] + ' textarea')?.focus()
  }

  // The controls of toasts and rows (done, snooze, mute: public/inbox.js and inbox.css) come
  // with the inbox page; any other page loads them with its first toast.
  function loadInbox() {
    const live = document.getElementById('live')
    if (!live || document.documentElement.classList.contains('inbox-js') || live.dataset.inboxLoading) return
    live.dataset.inboxLoading = '1'
    const css = document.createElement('link')
    css.rel = 'stylesheet'
    css.href = live.dataset.inboxCss
    document.head.append(css)
    const js = document.createElement('script')
    js.src = live.dataset.inboxJs
    document.body.append(js)
  }

  // ---------------------------------------------------------------- navbar menu (phones)
  function setMenu(open) {
    const toggle = document.querySelector('.nav-toggle')
    if (!toggle) return
    toggle.setAttribute('aria-expanded', String(open))
    toggle.closest('.navbar')?.classList.toggle('menu-open', open)
  }

  // ---------------------------------------------------------------- forms
  // After a failed form (a page or an htmx swap), focus goes to the first field in error.
  function focusFirstError() {
    const fresh = Array.from(document.querySelectorAll('.field-error, .form-error')).filter((el) => !el.dataset.noticed)
    fresh.forEach((el) => (el.dataset.noticed = '1'))
    const error = fresh[0]
    if (!error) return
    const fieldSelector = 'input:not([type=hidden]):not([disabled]), select, textarea'
    const field =
      document.querySelector('[aria-invalid="true"]') ||
      (error.id && document.querySelector('[aria-describedby~="' + CSS.escape(error.id) + '"]')) ||
      error.parentElement?.querySelector(fieldSelector) ||
      (error.closest('form') || error.parentElement?.querySelector('form'))?.querySelector(fieldSelector)
    if (field) field.focus()
  }

  // A table wider than a phone scrolls inside its card; the keyboard must reach it too.
  function markScrollableTables() {
    document.querySelectorAll('table.data').forEach((table) => {
      if (table.scrollWidth > table.clientWidth + 1) table.setAttribute('tabindex', '0')
      else if (table.getAttribute('tabindex') === '0') table.removeAttribute('tabindex')
    })
  }
  let resizeTimer = null
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer)
    resizeTimer = setTimeout(markScrollableTables, 150)
  })

  // A swap that replaced the whole <main> (e.g. "Mark paid") starts at the top of the page,
  // so its new state is not left under the sticky navbar.
  let main = document.querySelector('main')
  function afterSwap() {
    const current = document.querySelector('main')
    if (current && current !== main) {
      main = current
      window.scrollTo(0, 0)
    }
    focusFirstError()
    initDesktopButton()
    bindToastPreference()
    markScrollableTables()
  }

  // ---------------------------------------------------------------- desktop notifications
  function desktopNotify(n) {
    if (!('Notification' in window) || Notification.permission !== 'granted' || !document.hidden || !tabs.isLeader()) return
    const note = new Notification(n.title, { body: n.message, tag: 'pulse-' + n.id })
    // Through the notification: a same-origin navigation to it marks it read, then follows its link.
    note.onclick = () => {
      window.focus()
      location.href = '/notifications/' + n.id + '/open'
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

  function init() {
    focusCommentBox()
    focusFirstError()
    initDesktopButton()
    bindToastPreference()
    markScrollableTables()
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init)
  else init()
  document.addEventListener('htmx:after:swap', afterSwap)
})()
