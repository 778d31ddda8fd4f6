/** The business profile, customer and product forms. */
import type { FieldErrors } from '../../../errors.js'
import { GST_RATES_BPS, isGstRate, isTaxClass, MAX_CESS_BPS, TAX_CLASSES, type TaxClass } from '../gst.js'
import { normaliseGstin } from '../identifiers.js'
import { formatPercent, parseRupees, parseScaled } from '../money.js'
import { isUqc } from '../units.js'
import { EMAIL, gstin, MAX_PRICE_PAISE, optionalText, refuse, requiredText, stateCode, str } from './fields.js'

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
