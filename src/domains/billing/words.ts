/** Amounts in words, the Indian way (thousand, lakh, crore). Pure. */

const ONES = ['', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten', 'Eleven', 'Twelve', 'Thirteen', 'Fourteen', 'Fifteen', 'Sixteen', 'Seventeen', 'Eighteen', 'Nineteen']
const TENS = ['', '', 'Twenty', 'Thirty', 'Forty', 'Fifty', 'Sixty', 'Seventy', 'Eighty', 'Ninety']

/** 0..99 */
function twoDigits(n: number): string {
  if (n < 20) return ONES[n]!
  const unit = n % 10
  return TENS[Math.floor(n / 10)]! + (unit ? '-' + ONES[unit]! : '')
}

/** 0..999 */
function threeDigits(n: number): string {
  const hundreds = Math.floor(n / 100)
  const rest = n % 100
  return [hundreds ? `${ONES[hundreds]} Hundred` : '', rest ? twoDigits(rest) : ''].filter(Boolean).join(' ')
}

/**
 * A whole number in words with Indian grouping: 1,23,45,678 -> "One Crore Twenty-Three
 * Lakh Forty-Five Thousand Six Hundred Seventy-Eight". Crores of crores repeat "Crore".
 */
export function numberInWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('numberInWords takes a non-negative safe integer')
  if (n === 0) return 'Zero'
  const crores = Math.floor(n / 1_00_00_000)
  const below = n % 1_00_00_000
  const lakhs = Math.floor(below / 1_00_000)
  const thousands = Math.floor((below % 1_00_000) / 1000)
  const rest = below % 1000
  return [
    crores ? `${numberInWords(crores)} Crore` : '',
    lakhs ? `${twoDigits(lakhs)} Lakh` : '',
    thousands ? `${twoDigits(thousands)} Thousand` : '',
    rest ? threeDigits(rest) : '',
  ]
    .filter(Boolean)
    .join(' ')
}

/** Paise to "Rupees One Lakh Four Thousand Sixty-Two and Fifty Paise Only". */
export function rupeesInWords(paise: number): string {
  const sign = paise < 0 ? 'Minus ' : ''
  const abs = Math.abs(paise)
  const rupees = Math.floor(abs / 100)
  const p = abs % 100
  return `${sign}Rupees ${numberInWords(rupees)}${p ? ` and ${twoDigits(p)} Paise` : ''} Only`
}
