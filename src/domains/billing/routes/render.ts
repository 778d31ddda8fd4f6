/** What every billing page and fragment gets, and the answer after a change. */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { DomainError, type FieldErrors } from '../../../errors.js'
import { currentUser, isHtmx, renderPage } from '../../../web/http.js'
import { indianDate } from '../calendar.js'
import { RATE_CHOICES } from '../forms/catalog.js'
import { PAYMENT_MODE_LABELS } from '../forms/payments-notes.js'
import { TAX_CLASS_LABELS, TAX_CLASSES, type TaxClass } from '../gst.js'
import { formatPaise, formatPercent, formatScaled, paiseToInput } from '../money.js'
import { GST_STATES, PLACES_OF_SUPPLY, stateName } from '../identifiers.js'
import { UQC } from '../units.js'
import { rupeesInWords } from '../words.js'
import { INVOICE_STATUSES, type InvoiceStatus } from '../service/index.js'

const STATUS_LABELS: Record<InvoiceStatus, string> = {
  draft: 'Draft',
  issued: 'Issued',
  partial: 'Partially paid',
  overdue: 'Overdue',
  paid: 'Paid',
  cancelled: 'Cancelled',
}

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
  statusLabel: (s: InvoiceStatus) => STATUS_LABELS[s],
  taxClass: (c: string) => TAX_CLASS_LABELS[c as TaxClass] ?? c,
  words: rupeesInWords,
  /** ms since epoch to the date in India */
  date: indianDate,
}

const commonViewData = {
  fmt,
  states: GST_STATES,
  places: PLACES_OF_SUPPLY,
  rates: RATE_CHOICES,
  units: UQC,
  taxClasses: TAX_CLASSES,
  statuses: INVOICE_STATUSES,
  paymentModeLabels: PAYMENT_MODE_LABELS,
}

export async function page(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>, status = 200) {
  reply.status(status)
  return renderPage(request, reply, template, { ...commonViewData, ...data })
}

export function fragment(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>) {
  reply.type('text/html')
  return request.server.views.render(template, { ...commonViewData, ...data })
}

/** One invoice's page (`more`: the payment or cancel form's values and messages). */
export async function invoicePage(request: FastifyRequest, reply: FastifyReply, id: number, more: Record<string, unknown> = {}, status = 200) {
  const billing = request.server.billing
  const userId = currentUser(request).id
  return page(request, reply, 'billing/invoice', { ...await billing.getInvoice(userId, id), notes: await billing.notesOf(userId, id), today: billing.today(), ...more }, status)
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
export async function writeOrForm<T>(write: () => Promise<T>, then: (result: T) => unknown, form: (errors: FieldErrors) => unknown): Promise<unknown> {
  let result: T
  try {
    result = await write()
  } catch (err) {
    return form(formErrors(err))
  }
  return then(result)
}
