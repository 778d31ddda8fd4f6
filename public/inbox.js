// Pulse: the inbox's row and toast controls (views/partials/notification-controls.eta).
// - Done, snooze, mute and their undo, sent with fetch (JSON answers); errors next to the menu
// - every open inbox page follows notification_state: rows change, leave or come back, and
//   the tabs' unread counts follow every frame that carries counts
// - menus: one open at a time, Escape closes and gives focus back to its button; on a phone
//   a row's controls fold behind one button; pushed rows' menus are written when opened
// - a toast's link marks its notification read, then navigates (a row's goes through
//   /notifications/:id/open, which works without script)
// Loaded by the inbox page, elsewhere by app.js once a toast arrives. Its Escape handling
// listens in the capture phase, so it runs before app.js dismisses a toast.
(function () {
  'use strict'
  const UNDO_MS = 8000
  const COUNT_DELAY_MS = 150
  const FETCH_ROWS_MAX = 50
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content || ''
  const timeZone = () => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
    } catch {
      return 'UTC'
    }
  }
  document.documentElement.classList.add('inbox-js')

  const list = () => document.getElementById('notification-list')
  const rowOf = (id) => document.getElementById('notification-' + id)
  const toastsOf = (id) => Array.from(document.querySelectorAll('#toasts .toast[data-notification-id="' + id + '"]'))

  // The page's one live region belongs to app.js (loaded after this file, before any event).
  const announce = (text) => window.pulseAnnounce?.(text)

  async function send(url, body, method) {
    const res = await fetch(url, {
      method: method || 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', 'x-csrf-token': csrf() },
      body: body ? new URLSearchParams(body).toString() : undefined,
    })
    if (res.status === 401) {
      // Logged out meanwhile (another tab): log in again and come back to this page.
      location.assign('/login?next=' + encodeURIComponent(location.pathname + location.search))
      throw new Error('You were logged out.')
    }
    const data = res.status === 204 ? null : await res.json().catch(() => null)
    if (!res.ok) {
      const fields = (data && data.fields) || {}
      throw new Error(fields.until || fields.time_zone || fields.thread || (data && data.message) || 'That did not work (' + res.status + ')')
    }
    return data
  }

  // ---------------------------------------------------------------- undo bar
  const bar = document.createElement('div')
  bar.className = 'undo-bar'
  bar.hidden = true
  bar.innerHTML = '<span class="undo-text"></span><button type="button" class="undo-button small">Undo</button>'
  document.body.append(bar)
  let undoAction = null
  let undoTimer = null
  let focusAfterUndo = null

  function offerUndo(text, action, nextFocus) {
    clearTimeout(undoTimer)
    bar.querySelector('.undo-text').textContent = text
    bar.hidden = false
    undoAction = action
    focusAfterUndo = nextFocus
    announce(text + (action ? ' Undo is available for a few seconds.' : ''))
    bar.querySelector('.undo-button').hidden = !action
    undoTimer = setTimeout(hideUndo, UNDO_MS)
  }
  function hideUndo() {
    clearTimeout(undoTimer)
    const hadFocus = bar.contains(document.activeElement)
    bar.hidden = true
    undoAction = null
    if (hadFocus) (focusAfterUndo && focusAfterUndo.isConnected ? focusAfterUndo : document.getElementById('main'))?.focus()
  }
  bar.addEventListener('focusin', () => clearTimeout(undoTimer))
  bar.addEventListener('focusout', (e) => bar.contains(e.relatedTarget) || (undoTimer = setTimeout(hideUndo, UNDO_MS / 2)))
  bar.querySelector('.undo-button').addEventListener('click', async () => {
    const action = undoAction
    hideUndo()
    if (!action) return
    try {
      await action()
      announce('Undone.')
    } catch (err) {
      announce(err.message)
    }
  })

  // ---------------------------------------------------------------- rows leaving and coming back
  /** Takes a row (and its toasts) out of this page; answers where focus should go next. */
  function removeNotification(id) {
    const row = rowOf(id)
    let next = null
    if (row) {
      const sibling = row.nextElementSibling || row.previousElementSibling
      next = sibling ? sibling.querySelector('button, summary, a') : null
      row.remove()
    }
    toastsOf(id).forEach((t) => t.remove())
    return next
  }

  /** Puts a row where its id belongs in this page (newest first), unless it belongs to another page. */
  function placeRow(html) {
    const ul = list()
    if (!ul) return
    const tpl = document.createElement('template')
    tpl.innerHTML = html.trim()
    const li = tpl.content.querySelector('li[id^="notification-"]')
    if (!li) return
    const id = Number(li.id.slice('notification-'.length))
    const existing = rowOf(id)
    const rows = Array.from(ul.querySelectorAll(':scope > li[id^="notification-"]')).filter((r) => r !== existing)
    const ids = rows.map((r) => Number(r.id.slice('notification-'.length)))
    const before = rows.find((r, i) => ids[i] < id)
    // Its place is on another page (newer or older): a row already shown (a pushed one) is only updated.
    if ((ul.dataset.moreNewer && ids.length && id > ids[0]) || (!before && ul.dataset.moreOlder)) {
      if (!existing) return
      existing.replaceWith(li)
    } else {
      existing?.remove()
      ul.insertBefore(li, before || null)
    }
    if (window.htmx) htmx.process(li)
  }

  /** Asks the server for one row as this view shows it: placed, replaced, or removed (204). */
  async function refreshRow(id) {
    const ul = list()
    if (!ul) return
    const q = new URLSearchParams()
    if (ul.dataset.status) q.set('status', ul.dataset.status)
    if (ul.dataset.category) q.set('category', ul.dataset.category)
    const res = await fetch('/notifications/' + id + '/row?' + q, { credentials: 'same-origin' })
    if (res.status === 204) return void rowOf(id)?.remove()
    if (res.ok) placeRow(await res.text())
  }

  function markRowRead(row, read) {
    row.classList.toggle('unread', !read)
    if (read) row.querySelector('form[action$="/read"]')?.remove()
  }

  // A state change from any tab, API call or process (this tab's own included).
  function applyState(frame) {
    const ul = list()
    if (!ul) return
    const view = ul.dataset.status || ''
    const inbox = view === '' || view === 'unread' || view === 'read'
    if (frame.all) {
      if (frame.read !== undefined) ul.querySelectorAll(':scope > li').forEach((row) => markRowRead(row, frame.read))
      return
    }
    const ids = frame.ids || []
    const leaves = frame.archived === true || (typeof frame.snoozed_until === 'string' && frame.snoozed_until)
    const returns = frame.archived === false || frame.snoozed_until === null
    const fetched = []
    for (const id of ids) {
      const row = rowOf(id)
      if (inbox && leaves) removeNotification(id)
      else if ((view === 'archived' && frame.archived === false) || (view === 'snoozed' && frame.snoozed_until === null)) row?.remove()
      else if (leaves || returns || (frame.read === false && !row)) fetched.push(id)
      else if (row && frame.read !== undefined) markRowRead(row, frame.read)
    }
    fetched.slice(0, FETCH_ROWS_MAX).forEach((id) => refreshRow(id).catch(() => {}))
  }

  // ---------------------------------------------------------------- tab counts
  let countTimer = null
  let countAsks = 0
  function setTabCount(key, n) {
    document.querySelectorAll('[data-unread-of="' + key + '"]').forEach((el) => {
      el.textContent = String(n)
      el.classList.toggle('empty', !n)
    })
  }
  function refreshCounts(frame) {
    if (!document.querySelector('[data-unread-of]')) return
    if (typeof frame.unread_count === 'number') setTabCount('all', frame.unread_count)
    clearTimeout(countTimer)
    countTimer = setTimeout(async () => {
      // Answers can overtake each other: only the latest request's counts are shown.
      const asked = ++countAsks
      try {
        const res = await fetch('/api/notifications?limit=1', { credentials: 'same-origin', headers: { accept: 'application/json' } })
        if (!res.ok) return
        const body = await res.json()
        if (asked !== countAsks) return
        setTabCount('all', body.unread_count)
        for (const [category, n] of Object.entries(body.unread_by_category || {})) setTabCount(category, n)
      } catch {
        /* offline: the next frame tries again */
      }
    }, COUNT_DELAY_MS)
  }

  document.addEventListener('pulse:frame', (e) => {
    const frame = e.detail || {}
    if (frame.type === 'notification_state') applyState(frame)
    // The page was rendered with its counts: the first frame of a connection changes none.
    if (typeof frame.unread_count === 'number' && frame.type !== 'initial') refreshCounts(frame)
  })

  // ---------------------------------------------------------------- the controls' forms
  const NOUN_TEXT = { '8h': 'for 8 hours', week: 'for a week', forever: 'until you unmute it' }
  const localTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' })

  document.addEventListener('submit', async (e) => {
    const form = e.target.closest?.('form[data-inbox]')
    if (!form) return
    e.preventDefault()
    const kind = form.dataset.inbox
    const controls = form.closest('.n-controls')
    const id = controls?.dataset.notification
    const error = controls?.querySelector('.n-control-error')
    const data = new FormData(form)
    if (kind === 'snooze') data.set('time_zone', timeZone())
    if (e.submitter && e.submitter.name) data.set(e.submitter.name, e.submitter.value)
    data.delete('_csrf')
    const wasFocused = controls?.contains(document.activeElement)
    // "Done for all read": the rows read now (the state frame may take them out before the answer comes;
    // a row pushed meanwhile is not one of them).
    const ul = list()
    const readRows = kind === 'archive-read' && ul && !['archived', 'snoozed'].includes(ul.dataset.status) ? Array.from(ul.querySelectorAll(':scope > li:not(.unread)')) : []
    // "Mark all read": the rows shown now; one pushed while the request is on its way stays unread.
    const unreadRows = kind === 'read-all' && ul ? Array.from(ul.querySelectorAll(':scope > li.unread')) : []
    try {
      const answer = await send(form.action, data)
      if (error) error.hidden = true
      controls?.querySelectorAll('details[open]').forEach((d) => d.removeAttribute('open'))
      if (kind === 'archive') {
        const next = removeNotification(id)
        offerUndo('Marked done.', () => send('/notifications/' + id + '/unarchive'), next)
      } else if (kind === 'snooze') {
        const next = removeNotification(id)
        const until = answer && answer.snoozed_until ? ' until ' + localTime.format(new Date(answer.snoozed_until)) : ''
        offerUndo('Snoozed' + until + '.', () => send('/notifications/' + id + '/unsnooze'), next)
      } else if (kind === 'unarchive' || kind === 'unsnooze') {
        const next = removeNotification(id)
        offerUndo('Moved back to the inbox.', null, next)
      } else if (kind === 'read-all') {
        unreadRows.forEach((row) => markRowRead(row, true))
        announce('All notifications are read.')
      } else if (kind === 'archive-read') {
        readRows.forEach((row) => row.remove())
        announce(readRows.length ? 'Read notifications marked done.' : 'Nothing read to mark done.')
      } else if (kind === 'mute') {
        const text = 'Muted this ' + form.dataset.noun + ' ' + (NOUN_TEXT[data.get('for')] || '') + '.'
        offerUndo(text, () => send('/api/mutes/' + encodeURIComponent(answer.thread), null, 'DELETE'))
      }
      if (wasFocused && !bar.hidden && !controls?.isConnected) bar.querySelector('.undo-button:not([hidden])')?.focus()
    } catch (err) {
      if (error) {
        error.textContent = err.message
        error.hidden = false
      }
      announce(err.message)
    }
  })

  // ---------------------------------------------------------------- menus

  function closeMenus(except) {
    document.querySelectorAll('details.menu[open]').forEach((d) => d !== except && d.removeAttribute('open'))
  }
  // Pushed rows and toasts arrive without their menus' choices (a smaller frame): the same
  // choices as views/partials/notification-controls.eta, written when the menu first opens.
  const NOUNS = ['post', 'conversation', 'invoice', 'person']
  function fill(d) {
    const id = Number(d.closest('.n-controls')?.dataset.notification)
    if (!id) return
    const toast = Boolean(d.closest('.toast'))
    const action = '/notifications/' + id + '/'
    if (d.dataset.fill === 'snooze') {
      const panel = d.querySelector('.menu-panel')
      const choice = (value, text, extra) => '<button name="preset" value="' + value + '" class="menu-item"' + (extra || '') + '>' + text + '</button>'
      const key = (toast ? 'toast-' : 'row-') + id
      panel.innerHTML =
        '<form method="post" action="' + action + 'snooze" data-inbox="snooze">' +
        choice('hour', '1 hour') + choice('evening', 'This evening, 18:00', ' data-evening') +
        choice('tomorrow', 'Tomorrow morning, 09:00') + choice('next_week', 'Next week, Monday 09:00') + '</form>' +
        (toast ? '' : '<form method="post" action="' + action + 'snooze" class="snooze-at" data-inbox="snooze"><input type="hidden" name="preset" value="at">' +
          '<label for="snooze-at-' + key + '">Or until</label><input type="datetime-local" id="snooze-at-' + key + '" name="local" required><button class="small">Snooze</button></form>')
    } else if (d.dataset.fill === 'mute') {
      const form = d.querySelector('form[data-inbox="mute"]')
      const noun = NOUNS.includes(form.dataset.noun) ? form.dataset.noun : 'thread'
      const choice = (value, text) => '<button name="for" value="' + value + '" class="menu-item">' + text + '</button>'
      form.innerHTML = '<p class="menu-title">Mute this ' + noun + '</p>' + choice('8h', 'For 8 hours') + choice('week', 'For a week') + choice('forever', 'Until I unmute it')
    }
    delete d.dataset.fill
  }

  function setFold(controls, open) {
    controls.classList.toggle('open', open)
    controls.querySelector('.n-controls-toggle')?.setAttribute('aria-expanded', String(open))
  }
  document.addEventListener(
    'toggle',
    (e) => {
      const d = e.target
      if (!(d instanceof HTMLDetailsElement) || !d.classList.contains('menu') || !d.open) return
      closeMenus(d)
      if (d.dataset.fill) fill(d)
      const evening = d.querySelector('[data-evening]')
      if (evening) evening.textContent = (new Date().getHours() >= 17 ? 'Tomorrow evening' : 'This evening') + ', 18:00'
    },
    true,
  )
  document.addEventListener('click', (e) => {
    const toggle = e.target.closest?.('.n-controls-toggle')
    if (toggle) setFold(toggle.closest('.n-controls'), toggle.getAttribute('aria-expanded') !== 'true')
    if (!e.target.closest?.('details.menu')) closeMenus(null)
    document.querySelectorAll('.n-controls.open').forEach((c) => c.contains(e.target) || setFold(c, false))
  })
  document.addEventListener(
    'keydown',
    (e) => {
      if (e.key !== 'Escape') return
      const menu = document.activeElement?.closest?.('details.menu[open]') || document.querySelector('details.menu[open]')
      if (menu) {
        e.preventDefault()
        menu.removeAttribute('open')
        menu.querySelector('summary')?.focus()
        return
      }
      const fold = document.activeElement?.closest?.('.n-controls.open') || document.querySelector('.n-controls.open')
      if (fold) {
        e.preventDefault()
        setFold(fold, false)
        fold.querySelector('.n-controls-toggle')?.focus()
      }
    },
    true,
  )

  // ---------------------------------------------------------------- click-through
  // A toast's link marks its notification read, then follows it. A row's link goes through
  // /notifications/:id/open (a same-origin navigation marks read; it works without script).
  async function markRead(id, keepalive) {
    return fetch('/api/notifications/' + id + '/read', { method: 'POST', credentials: 'same-origin', keepalive, headers: { 'x-csrf-token': csrf() } })
  }
  document.addEventListener('click', (e) => {
    const link = e.target.closest?.('a[data-notification-open]')
    if (!link) return
    const id = link.dataset.notificationOpen
    if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return void markRead(id, true).catch(() => {})
    e.preventDefault()
    const go = () => location.assign(link.href)
    Promise.race([markRead(id, true), new Promise((resolve) => setTimeout(resolve, 1500))]).then(go, go)
  })
  document.addEventListener('auxclick', (e) => {
    const link = e.target.closest?.('a[data-notification-open]')
    if (link && e.button === 1) markRead(link.dataset.notificationOpen, true).catch(() => {})
  })
})()
