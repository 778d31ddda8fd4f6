// /settings/notifications: with no time zone chosen yet, the quiet-hours select starts at
// this browser's own zone (without script the user picks it from the list).
(function () {
  'use strict'
  const select = document.querySelector('select[data-browser-zone]')
  if (!select || select.value) return
  let zone = ''
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''
  } catch {
    return
  }
  const options = Array.from(select.options).map((o) => o.value).filter(Boolean)
  // The browser may name it the old way (Asia/Calcutta for Asia/Kolkata): compare what each resolves to.
  const same = (name) => {
    try {
      return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone === zone
    } catch {
      return false
    }
  }
  const match = options.find((o) => o === zone) || options.find(same)
  if (match) select.value = match
})()
