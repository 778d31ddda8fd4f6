/** The invoice form: lines aligned by position, a partial draft for the live preview, or a 422. */
import type { FieldErrors } from '../../../errors.js'
import { isIsoDate } from '../calendar.js'
import { isPlaceOfSupply } from '../identifiers.js'
import { parseRupees, parseScaled } from '../money.js'
import { checked, list, MAX_LINES, MAX_PRICE_PAISE, MAX_QUANTITY_MILLI, optionalText, refuse, str } from './fields.js'

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
