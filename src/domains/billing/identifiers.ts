/** Indian tax identifiers: GST state codes and GSTINs. Pure. */

// ---------------------------------------------------------------- states

/** GST state codes (the first two digits of a GSTIN). */
export const GST_STATES: ReadonlyArray<{ code: string; name: string }> = [
  { code: '01', name: 'Jammu and Kashmir' },
  { code: '02', name: 'Himachal Pradesh' },
  { code: '03', name: 'Punjab' },
  { code: '04', name: 'Chandigarh' },
  { code: '05', name: 'Uttarakhand' },
  { code: '06', name: 'Haryana' },
  { code: '07', name: 'Delhi' },
  { code: '08', name: 'Rajasthan' },
  { code: '09', name: 'Uttar Pradesh' },
  { code: '10', name: 'Bihar' },
  { code: '11', name: 'Sikkim' },
  { code: '12', name: 'Arunachal Pradesh' },
  { code: '13', name: 'Nagaland' },
  { code: '14', name: 'Manipur' },
  { code: '15', name: 'Mizoram' },
  { code: '16', name: 'Tripura' },
  { code: '17', name: 'Meghalaya' },
  { code: '18', name: 'Assam' },
  { code: '19', name: 'West Bengal' },
  { code: '20', name: 'Jharkhand' },
  { code: '21', name: 'Odisha' },
  { code: '22', name: 'Chhattisgarh' },
  { code: '23', name: 'Madhya Pradesh' },
  { code: '24', name: 'Gujarat' },
  { code: '26', name: 'Dadra and Nagar Haveli and Daman and Diu' },
  { code: '27', name: 'Maharashtra' },
  { code: '29', name: 'Karnataka' },
  { code: '30', name: 'Goa' },
  { code: '31', name: 'Lakshadweep' },
  { code: '32', name: 'Kerala' },
  { code: '33', name: 'Tamil Nadu' },
  { code: '34', name: 'Puducherry' },
  { code: '35', name: 'Andaman and Nicobar Islands' },
  { code: '36', name: 'Telangana' },
  { code: '37', name: 'Andhra Pradesh' },
  { code: '38', name: 'Ladakh' },
  { code: '97', name: 'Other Territory' },
  { code: '99', name: 'Centre Jurisdiction' },
]

/** Place of supply of an export: a foreign country (never a party's own state). */
export const FOREIGN_COUNTRY = '96'

/** Where a supply can be made to: every state code plus a foreign country (exports). */
export const PLACES_OF_SUPPLY: ReadonlyArray<{ code: string; name: string }> = [...GST_STATES, { code: FOREIGN_COUNTRY, name: 'Foreign country (export)' }]

/**
 * Union territories without a legislature: the second half of intra-territory tax
 * is UTGST, not SGST (Chandigarh, Dadra and Nagar Haveli and Daman and Diu,
 * Lakshadweep, Andaman and Nicobar Islands, Ladakh). Delhi, Puducherry and Jammu
 * and Kashmir have legislatures: SGST.
 */
export const UNION_TERRITORIES_WITHOUT_LEGISLATURE: ReadonlySet<string> = new Set(['04', '26', '31', '35', '38'])

const STATE_NAMES = new Map(PLACES_OF_SUPPLY.map((s) => [s.code, s.name]))

export function stateName(code: string): string {
  return STATE_NAMES.get(code) ?? code
}

/** A state or union territory code a registered party can have (not 96, a foreign country). */
export function isStateCode(code: string): boolean {
  return code !== FOREIGN_COUNTRY && STATE_NAMES.has(code)
}

export function isPlaceOfSupply(code: string): boolean {
  return STATE_NAMES.has(code)
}

// ---------------------------------------------------------------- GSTIN

const GSTIN_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
/** state code, PAN (5 letters, 4 digits, 1 letter), entity number, 'Z', check character */
const GSTIN_PATTERN = /^[0-9]{2}[A-Z]{5}[0-9]{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/

/**
 * The GSTIN check character (mod 36, alternating factors 1 and 2 from the left):
 * each character's value times its factor is split into quotient and remainder
 * by 36 and both are added; the check is (36 - sum mod 36) mod 36.
 */
export function gstinCheckChar(first14: string): string {
  if (first14.length !== 14) throw new RangeError('gstinCheckChar needs the first 14 characters')
  let sum = 0
  for (let i = 0; i < 14; i++) {
    const value = GSTIN_CHARS.indexOf(first14[i]!)
    if (value < 0) throw new RangeError(`not a GSTIN character: ${first14[i]}`)
    const product = value * (i % 2 === 0 ? 1 : 2)
    sum += Math.floor(product / 36) + (product % 36)
  }
  return GSTIN_CHARS[(36 - (sum % 36)) % 36]!
}

export function normaliseGstin(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase()
}

/** Null when the GSTIN is valid, else what is wrong with it (for the form). */
export function gstinError(gstin: string): string | null {
  if (gstin.length !== 15) return 'A GSTIN has 15 characters.'
  if (!GSTIN_PATTERN.test(gstin)) return 'A GSTIN is a 2-digit state code, a 10-character PAN, an entity number, Z and a check character.'
  if (!isStateCode(gstin.slice(0, 2))) return `${gstin.slice(0, 2)} is not a GST state code.`
  if (gstinCheckChar(gstin.slice(0, 14)) !== gstin[14]) return 'The check character (last one) does not match: check for a typo.'
  return null
}

export function isValidGstin(gstin: string): boolean {
  return gstinError(gstin) === null
}

