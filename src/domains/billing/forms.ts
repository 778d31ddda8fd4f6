/**
 * Turns what a person typed (form or JSON strings) into checked billing inputs;
 * bad input throws a 422 `invalid` with messages keyed by input name. Pure:
 * ownership and existence checks (is this customer yours?) are the service's.
 */
import { hasErrors, invalid, type FieldErrors } from '../../errors.js'
import { isIsoDate } from './calendar.js'
import { GST_RATES_BPS, isGstRate, isTaxClass, MAX_CESS_BPS, TAX_CLASSES, type TaxClass } from './gst.js'
import { formatPercent, parseRupees, parseScaled } from './money.js'
import { gstinError, isPlaceOfSupply, isStateCode, normaliseGstin } from './identifiers.js'
import { isUqc } from './units.js'

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '').trim()
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Upper bounds that keep every sum of amounts exact (the overflow note in gst.ts). */
export const MAX_PRICE_PAISE = 100_000_000_00 // ₹10 crore a unit
export const MAX_QUANTITY_MILLI = 1_000_000_000 // 10,00,000 units, to 3 decimals
export const MAX_LINES = 100

function requiredText(errors: FieldErrors, name: string, value: string, label: string, max: number) {
  if (!value) errors[name] = `${label} is required.`
  else if (value.length > max) errors[name] = `At most ${max} characters.`
}

function refuse(errors: FieldErrors): void {
  if (hasErrors(errors)) throw invalid(errors, { status: 422 })
}

function optionalText(errors: FieldErrors, name: string, value: string, max: number) {
  if (value.length > max) errors[name] = `At most ${max} characters.`
}

function stateCode(errors: FieldErrors, name: string, value: string, allowForeign = false) {
  if (!(allowForeign ? isPlaceOfSupply(value) : isStateCode(value))) errors[name] = 'Choose a state.'
}

const checked = (v: unknown) => v === true || v === 'on' || v === 'yes' || v === '1' || v === 'true'

/** A GSTIN must be valid and name the same state as the party. */
function gstin(errors: FieldErrors, name: string, value: string, state: string, required: boolean): string | null {
  if (!value) {
    if (required) errors[name] = 'A GSTIN is required.'
    return null
  }
  const problem = gstinError(value)
  if (problem) errors[name] = problem
  else if (isStateCode(state) && value.slice(0, 2) !== state) errors[name] = `This GSTIN is registered in state ${value.slice(0, 2)}, not ${state}.`
  return value
}

// ---------------------------------------------------------------- profile

export interface ProfileInput {
  legalName: string
  gstin: string
  stateCode: string
  address: string
  signatory: string
}

export function checkProfile(body: Record<string, unknown>): ProfileInput {
  const errors: FieldErrors = {}
  const legalName = str(body.legal_name)
  const stateCodeValue = str(body.state_code)
  const address = str(body.address)
  const signatory = str(body.signatory)
  requiredText(errors, 'legal_name', legalName, 'The legal name', 200)
  stateCode(errors, 'state_code', stateCodeValue)
  const g = gstin(errors, 'gstin', normaliseGstin(str(body.gstin)), stateCodeValue, true)
  // Rule 46(a): the supplier's address is printed on every invoice.
  requiredText(errors, 'address', address, 'The address', 1000)
  optionalText(errors, 'signatory', signatory, 200)
  refuse(errors)
  return { legalName, gstin: g!, stateCode: stateCodeValue, address, signatory }
}

// ---------------------------------------------------------------- customers

export interface CustomerInput {
  name: string
  gstin: string | null
  stateCode: string
  address: string
  email: string
}

export function checkCustomer(body: Record<string, unknown>): CustomerInput {
  const errors: FieldErrors = {}
  const name = str(body.name)
  const stateCodeValue = str(body.state_code)
  const address = str(body.address)
  const email = str(body.email)
  requiredText(errors, 'name', name, 'A name', 200)
  stateCode(errors, 'state_code', stateCodeValue, true)
  const g = gstin(errors, 'gstin', normaliseGstin(str(body.gstin)), stateCodeValue, false)
  if (stateCodeValue === '96' && g) errors.gstin = 'A buyer abroad has no GSTIN: leave it empty.'
  optionalText(errors, 'address', address, 1000)
  if (email && (email.length > 254 || !EMAIL.test(email))) errors.email = 'An email address like name@example.com.'
  refuse(errors)
  return { name, gstin: g, stateCode: stateCodeValue, address, email }
}

// ---------------------------------------------------------------- products

export interface ProductInput {
  name: string
  hsn: string
  unitPricePaise: number
  rateBps: number
  unit: string
  taxClass: TaxClass
  cessBps: number
}

export const RATE_CHOICES = GST_RATES_BPS.map((bps) => ({ bps, label: `${formatPercent(bps)} %` }))

/** "18", "18%", "0.25" -> basis points, or null. */
export function parseRate(text: string): number | null {
  const bps = parseScaled(text.replace(/%$/, '').trim(), 2)
  return bps !== null && isGstRate(bps) ? bps : null
}

export function checkProduct(body: Record<string, unknown>): ProductInput {
  const errors: FieldErrors = {}
  const name = str(body.name)
  const hsn = str(body.hsn).replace(/\s+/g, '')
  const price = parseRupees(str(body.unit_price))
  const rate = parseRate(str(body.rate))
  const unit = str(body.unit).toUpperCase() || 'NOS'
  const taxClass = str(body.tax_class) || 'taxable'
  const cessText = str(body.cess).replace(/%$/, '')
  const cess = cessText ? parseScaled(cessText, 2) : 0
  requiredText(errors, 'name', name, 'A name', 200)
  // HSN codes have 4, 6 or 8 digits; SAC codes 6 digits starting with 99.
  if (!/^(\d{4}|\d{6}|\d{8})$/.test(hsn)) errors.hsn = 'An HSN/SAC code of 4, 6 or 8 digits.'
  if (price === null || price > MAX_PRICE_PAISE) errors.unit_price = 'A price in rupees, like 1250 or 99.50.'
  if (rate === null) errors.rate = `One of ${GST_RATES_BPS.map(formatPercent).join(', ')} %.`
  if (!isUqc(unit)) errors.unit = 'Choose a unit from the GST list (UQC), like KGS or NOS.'
  if (!isTaxClass(taxClass)) errors.tax_class = `One of ${TAX_CLASSES.join(', ')}.`
  else if (rate !== null && rate > 0 && (taxClass === 'nil' || taxClass === 'exempt' || taxClass === 'non_gst')) errors.rate = 'Nil-rated, exempt and non-GST supplies carry 0 % GST.'
  if (cess === null || cess > MAX_CESS_BPS) errors.cess = `Cess: a percentage from 0 to ${formatPercent(MAX_CESS_BPS)}.`
  refuse(errors)
  return { name, hsn, unitPricePaise: price!, rateBps: rate!, unit, taxClass: taxClass as TaxClass, cessBps: cess! }
}

// ---------------------------------------------------------------- invoices

export interface InvoiceLineDraft {
  /** the row of the form it came from */
  row: number
  productId: number
  quantityMilli: number
  /** null: the product's price */
  unitPricePaise: number | null
  discountBps: number
}

export interface InvoiceDraft {
  customerId: number | null
  /** null: the customer's state */
  placeOfSupply: string | null
  /** null: the default terms (see service) */
  dueDate: string | null
  /** null: the day it is issued */
  invoiceDate: string | null
  reverseCharge: boolean
  /** zero-rated under LUT/bond (exports, SEZ): no IGST */
  lut: boolean
  /** '' : delivered to the billing address */
  shipToAddress: string
  notes: string
  lines: InvoiceLineDraft[]
}

/** The form's raw values: one entry per line in each array. */
export interface InvoiceForm {
  customer_id?: string | number
  place_of_supply?: string
  due_date?: string
  invoice_date?: string
  reverse_charge?: string | boolean
  lut?: string | boolean
  ship_to_address?: string
  notes?: string
  product_id?: string | number | Array<string | number>
  quantity?: string | number | Array<string | number>
  unit_price?: string | number | Array<string | number>
  discount?: string | number | Array<string | number>
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : v === undefined ? [] : [str(v)])

/** The lines as typed, aligned by position (every row posts all four fields). */
export function formLines(form: InvoiceForm) {
  const products = list(form.product_id)
  const quantities = list(form.quantity)
  const prices = list(form.unit_price)
  const discounts = list(form.discount)
  const n = Math.max(products.length, quantities.length, prices.length, discounts.length)
  return Array.from({ length: n }, (_, i) => ({
    product_id: products[i] ?? '',
    quantity: quantities[i] ?? '',
    unit_price: prices[i] ?? '',
    discount: discounts[i] ?? '',
  }))
}

/**
 * Parses an invoice form as far as it goes: rows with neither a product nor a
 * quantity are blank and skipped, bad rows are left out of the draft and named
 * in the errors (`line_0`, `line_1`, ...). The live preview uses the partial draft.
 */
export function readInvoiceForm(form: InvoiceForm): { value: InvoiceDraft; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const customer = str(form.customer_id)
  const customerId = /^\d{1,12}$/.test(customer) ? Number(customer) : null
  if (customerId === null) errors.customer_id = 'Choose a customer.'
  const pos = str(form.place_of_supply)
  if (pos && !isPlaceOfSupply(pos)) errors.place_of_supply = 'Choose a state, or a foreign country for an export.'
  const due = str(form.due_date)
  if (due && !isIsoDate(due)) errors.due_date = 'A date like 2026-05-31.'
  const date = str(form.invoice_date)
  if (date && !isIsoDate(date)) errors.invoice_date = 'A date like 2026-05-31.'
  else if (date && due && isIsoDate(due) && due < date) errors.due_date = 'The due date cannot be before the invoice date.'
  const notes = str(form.notes)
  optionalText(errors, 'notes', notes, 2000)
  const shipTo = str(form.ship_to_address)
  optionalText(errors, 'ship_to_address', shipTo, 1000)

  const lines: InvoiceLineDraft[] = []
  const rows = formLines(form)
  rows.forEach((row, i) => {
    if (!row.product_id && !row.quantity && !row.unit_price && !row.discount) return
    const key = `line_${i}`
    const productId = /^\d{1,12}$/.test(row.product_id) ? Number(row.product_id) : null
    const quantityMilli = parseScaled(row.quantity || '1', 3)
    const unitPricePaise = row.unit_price ? parseRupees(row.unit_price) : null
    const discountBps = row.discount ? parseScaled(row.discount.replace(/%$/, ''), 2) : 0
    if (productId === null) errors[key] = 'Choose a product.'
    else if (quantityMilli === null || quantityMilli === 0 || quantityMilli > MAX_QUANTITY_MILLI) errors[key] = 'Quantity: a number above 0, up to 10,00,000 (3 decimals at most).'
    else if (row.unit_price && (unitPricePaise === null || unitPricePaise > MAX_PRICE_PAISE)) errors[key] = 'Price: rupees, like 1250 or 99.50.'
    else if (discountBps === null || discountBps > 10000) errors[key] = 'Discount: a percentage from 0 to 100.'
    else lines.push({ row: i, productId, quantityMilli, unitPricePaise, discountBps })
  })
  if (!errors.customer_id && !lines.length && !Object.keys(errors).some((k) => k.startsWith('line_'))) errors.lines = 'Add at least one line.'
  if (lines.length > MAX_LINES) errors.lines = `At most ${MAX_LINES} lines.`
  const value = {
    customerId,
    placeOfSupply: pos || null,
    dueDate: due || null,
    invoiceDate: date || null,
    reverseCharge: checked(form.reverse_charge),
    lut: checked(form.lut),
    shipToAddress: shipTo,
    notes,
    lines,
  }
  return { value, errors }
}

/** The invoice form's draft, or a 422 with every field message. */
export function checkInvoice(form: InvoiceForm): InvoiceDraft {
  const { value, errors } = readInvoiceForm(form)
  refuse(errors)
  return value
}

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
