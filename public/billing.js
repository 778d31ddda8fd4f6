// Billing: the invoice page's Print button (no inline script under the CSP).
// Loaded again when htmx swaps the page in, so it installs itself once.
if (!window.__billingPrint) {
  window.__billingPrint = true
  document.addEventListener('click', (e) => {
    if (e.target.closest?.('[data-print]')) window.print()
  })
}
