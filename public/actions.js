// Notification actions (views/partials/notification-actions.eta), loaded by app.js on the first
// click of one: the button sends its request with the page's CSRF token and, without leaving the
// page, every copy of that notification's buttons (toast and row) is replaced by the outcome
// ("Accepted", "Paid"), or by the server's message when it was already answered (409).
(function () {
  'use strict'
  const csrf = () => document.querySelector('meta[name="csrf-token"]')?.content

  function showOutcome(id, text, kind) {
    document.querySelectorAll('.n-actions[data-notification-id="' + CSS.escape(id) + '"]').forEach((box) => {
      const hadFocus = box.contains(document.activeElement)
      const outcome = document.createElement('p')
      outcome.className = 'n-outcome' + (kind ? ' ' + kind : '')
      outcome.setAttribute('role', 'status')
      outcome.tabIndex = -1
      outcome.textContent = text
      box.replaceChildren(outcome)
      if (hadFocus) outcome.focus()
    })
  }

  async function run(button) {
    const box = button.closest('.n-actions')
    if (!box || box.dataset.busy) return
    box.dataset.busy = '1'
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus to the page.
    box.querySelectorAll('button').forEach((b) => b.setAttribute('aria-disabled', 'true'))
    const id = box.dataset.notificationId
    try {
      const res = await fetch(button.dataset.actionUrl, {
        method: button.dataset.actionMethod || 'POST',
        headers: { accept: 'application/json', 'X-CSRF-Token': csrf() || '' },
        credentials: 'same-origin',
      })
      if (res.ok) return showOutcome(id, button.dataset.outcome || 'Done', 'done')
      let message = 'That did not work (' + res.status + '). Try again.'
      try {
        message = (await res.json()).message || message
      } catch {
        /* not JSON: keep the generic message */
      }
      // 409/404: already answered, paid or gone; the message says what the real state is.
      if (res.status === 409 || res.status === 404) return showOutcome(id, message, 'conflict')
      release(box, message)
    } catch {
      release(box, 'Could not reach the server. Try again.')
    }
  }

  /** A failure worth retrying (offline, a server error): the message, and the buttons work again. */
  function release(box, message) {
    let line = box.querySelector('.n-outcome')
    if (!line) {
      line = document.createElement('p')
      line.className = 'n-outcome conflict'
      line.setAttribute('role', 'status')
      box.append(line)
    }
    line.textContent = message
    box.querySelectorAll('button').forEach((b) => b.removeAttribute('aria-disabled'))
    delete box.dataset.busy
  }

  window.pulseActions = { run }
})()
