/** After issue: the payment form and the credit or debit note form. */
import type { FieldErrors } from '../../../errors.js'
import { isIsoDate } from '../calendar.js'
import { parseRupees, parseScaled } from '../money.js'
import { list, MAX_QUANTITY_MILLI, optionalText, refuse, requiredText, str } from './fields.js'

// ---------------------------------------------------------------- payments

export const PAYMENT_MODES = ['cash', 'upi', 'bank', 'cheque', 'card', 'other'] as const
export type PaymentMode = (typeof PAYMENT_MODES)[number]
export const PAYMENT_MODE_LABELS: Record<PaymentMode, string> = { cash: 'Cash', upi: 'UPI', bank: 'Bank transfer', cheque: 'Cheque', card: 'Card', other: 'Other' }

export interface PaymentInput {
  /** YYYY-MM-DD, India */
  paidOn: string
  amountPaise: number
  mode: PaymentMode
  reference: string
}

export function checkPayment(body: Record<string, unknown>): PaymentInput {
  const errors: FieldErrors = {}
  const paidOn = str(body.paid_on)
  const amount = parseRupees(str(body.amount))
  const mode = str(body.mode)
  const reference = str(body.reference)
  if (!isIsoDate(paidOn)) errors.paid_on = 'A date like 2026-05-31.'
  if (amount === null || amount === 0 || amount > Number.MAX_SAFE_INTEGER / 2) errors.amount = 'An amount in rupees above 0, like 2500 or 99.50.'
  if (!(PAYMENT_MODES as readonly string[]).includes(mode)) errors.mode = `One of ${PAYMENT_MODES.join(', ')}.`
  optionalText(errors, 'reference', reference, 200)
  refuse(errors)
  return { paidOn, amountPaise: amount!, mode: mode as PaymentMode, reference }
}

// ---------------------------------------------------------------- credit and debit notes

export interface NoteInput {
  kind: 'credit' | 'debit'
  /** null: today */
  noteDate: string | null
  reason: string
  lines: Array<{ invoiceLineId: number; quantityMilli: number }>
}

/** A note form: `line_id` and `quantity` columns; rows with an empty quantity are left out. */
export function checkNote(body: { kind?: string; note_date?: string; reason?: string; line_id?: string[]; quantity?: string[] }): NoteInput {
  const errors: FieldErrors = {}
  const kind = str(body.kind)
  const noteDate = str(body.note_date)
  const reason = str(body.reason)
  if (kind !== 'credit' && kind !== 'debit') errors.kind = 'A credit note or a debit note.'
  if (noteDate && !isIsoDate(noteDate)) errors.note_date = 'A date like 2026-05-31.'
  requiredText(errors, 'reason', reason, 'A reason', 300)
  const ids = list(body.line_id)
  const quantities = list(body.quantity)
  const lines: NoteInput['lines'] = []
  ids.forEach((id, i) => {
    const text = quantities[i] ?? ''
    if (!text) return
    const quantityMilli = parseScaled(text, 3)
    if (!/^\d{1,12}$/.test(id)) errors.lines = 'Choose lines of this invoice.'
    else if (quantityMilli === null || quantityMilli === 0 || quantityMilli > MAX_QUANTITY_MILLI) errors[`line_${id}`] = 'Quantity: a number above 0 (3 decimals at most).'
    else lines.push({ invoiceLineId: Number(id), quantityMilli })
  })
  if (!lines.length && !Object.keys(errors).some((k) => k.startsWith('line'))) errors.lines = 'Give a quantity for at least one line.'
  refuse(errors)
  return { kind: kind as NoteInput['kind'], noteDate: noteDate || null, reason, lines }
}
