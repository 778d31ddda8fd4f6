// Pulse: times people read. Every <time datetime data-relative> (views/partials/time.eta)
// says how long ago its instant was, in the reader's language and time zone: "just now",
// "3 min ago", "2 hr ago", "yesterday", then a date; its title is the exact local time.
// One timer keeps them all current, and those that htmx swaps, pushed fragments or other
// scripts insert later are written as soon as they arrive.
(function () {
  'use strict'
  const REFRESH_MS = 30000
  const MINUTE = 60 * 1000
  const HOUR = 60 * MINUTE
  const DAY = 24 * HOUR
  const SELECTOR = 'time[datetime][data-relative]'

  const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' })
  // RelativeTimeFormat says "now"; English readers expect "just now".
  const justNow = /^en\b/.test(relative.resolvedOptions().locale) ? 'just now' : relative.format(0, 'second')
  const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' })
  const dayAndMonth = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' })
  const fullDate = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' })
  const midnight = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()

  function describe(at, now) {
    const ago = now - at
    if (Math.abs(ago) < MINUTE) return justNow
    if (Math.abs(ago) < HOUR) return relative.format(-Math.trunc(ago / MINUTE), 'minute')
    // Calendar days in the reader's zone (rounded: a day with a clock change is not 24 h).
    const days = Math.round((midnight(now) - midnight(at)) / DAY)
    if (days === 0) return relative.format(-Math.trunc(ago / HOUR), 'hour')
    if (Math.abs(days) === 1) return relative.format(-days, 'day')
    return (at.getFullYear() === now.getFullYear() ? dayAndMonth : fullDate).format(at)
  }

  function show(el, now) {
    const at = new Date(el.getAttribute('datetime'))
    if (Number.isNaN(at.getTime())) return
    const text = describe(at, now)
    if (el.textContent !== text) el.textContent = text
    const title = exact.format(at)
    if (el.title !== title) el.title = title
  }

  function refresh() {
    const now = new Date()
    document.querySelectorAll(SELECTOR).forEach((el) => show(el, now))
  }

  new MutationObserver((records) => {
    const now = new Date()
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue
        if (node.matches(SELECTOR)) show(node, now)
        else node.querySelectorAll(SELECTOR).forEach((el) => show(el, now))
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true })

  refresh()
  setInterval(refresh, REFRESH_MS)
  // A background tab's timers are slowed down: catch up when it is looked at again.
  document.addEventListener('visibilitychange', () => document.hidden || refresh())
})()
