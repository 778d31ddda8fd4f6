/**
 * Turns what a person typed (form or JSON strings) into checked billing inputs;
 * bad input throws a 422 `invalid` with messages keyed by input name. Pure:
 * ownership and existence checks (is this customer yours?) are the service's.
 */
import { hasErrors, invalid, type FieldErrors } from '../../../errors.js'
import { gstinError, isPlaceOfSupply, isStateCode } from '../identifiers.js'

export const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '').trim()
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Upper bounds that keep every sum of amounts exact (the overflow note in gst.ts). */
export const MAX_PRICE_PAISE = 100_000_000_00 // ₹10 crore a unit
export const MAX_QUANTITY_MILLI = 1_000_000_000 // 10,00,000 units, to 3 decimals
export const MAX_LINES = 100

export function requiredText(errors: FieldErrors, name: string, value: string, label: string, max: number) {
  if (!value) errors[name] = `${label} is required.`
  else if (value.length > max) errors[name] = `At most ${max} characters.`
}

export function refuse(errors: FieldErrors): void {
  if (hasErrors(errors)) throw invalid(errors, { status: 422 })
}

export function optionalText(errors: FieldErrors, name: string, value: string, max: number) {
  if (value.length > max) errors[name] = `At most ${max} characters.`
}

export function stateCode(errors: FieldErrors, name: string, value: string, allowForeign = false) {
  if (!(allowForeign ? isPlaceOfSupply(value) : isStateCode(value))) errors[name] = 'Choose a state.'
}

export const checked = (v: unknown) => v === true || v === 'on' || v === 'yes' || v === '1' || v === 'true'

/** A GSTIN must be valid and name the same state as the party. */
export function gstin(errors: FieldErrors, name: string, value: string, state: string, required: boolean): string | null {
  if (!value) {
    if (required) errors[name] = 'A GSTIN is required.'
    return null
  }
  const problem = gstinError(value)
  if (problem) errors[name] = problem
  else if (isStateCode(state) && value.slice(0, 2) !== state) errors[name] = `This GSTIN is registered in state ${value.slice(0, 2)}, not ${state}.`
  return value
}

/** A form column: one value per row. */
export const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : v === undefined ? [] : [str(v)])
