/** What every billing page and fragment gets, and the answer after a change. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, type FieldErrors } from '../../../errors.js'
import { isHtmx, renderPage } from '../../../web/http.js'
import { RATE_CHOICES } from '../forms.js'
import { formatPaise, formatPercent, formatScaled, GST_STATES, paiseToInput, stateName } from '../gst.js'
import { INVOICE_STATUSES, type InvoiceStatus } from '../service/index.js'

/** Formatting helpers every billing template gets as `it.fmt`. */
export const fmt = {
  money: (paise: number) => `₹${formatPaise(paise)}`,
  amount: formatPaise,
  percent: formatPercent,
  /** CGST or SGST rate: half the GST rate (0.25 % -> 0.125 %) */
  halfPercent: (bps: number) => formatScaled(bps * 5, 3),
  quantity: (milli: number) => formatScaled(milli, 3),
  priceInput: paiseToInput,
  state: (code: string) => `${stateName(code)} (${code})`,
  statusLabel: (s: InvoiceStatus) => ({ draft: 'Draft', issued: 'Issued', overdue: 'Overdue', paid: 'Paid' })[s],
}

const commonViewData = { fmt, states: GST_STATES, rates: RATE_CHOICES, statuses: INVOICE_STATUSES }

export function page(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) {
  reply.status(status)
  return renderPage(request, reply, template, { ...commonViewData, ...data })
}

export function fragment(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) {
  reply.type('text/html')
  return request.server.views.render(template, { ...commonViewData, ...data })
}

/** After a change: htmx swaps the page's <main>, plain forms follow a 303. */
export function done(request: FastifyRequest, reply: FastifyReply, url: string, render: () => unknown) {
  if (!isHtmx(request)) return reply.redirect(url, 303)
  reply.header('HX-Push-Url', url)
  return render()
}

/** The field messages of a rejected form; anything else is thrown on. */
export function formErrors(err: unknown): FieldErrors {
  if (err instanceof DomainError && err.fields) return err.fields
  throw err
}

/** Does `write`; when the input is refused, answers the form again with its messages (422). */
export function writeOrForm<T>(write: () => T, then: (result: T) => unknown, form: (errors: FieldErrors) => unknown): unknown {
  let result: T
  try {
    result = write()
  } catch (err) {
    return form(formErrors(err))
  }
  return then(result)
}
