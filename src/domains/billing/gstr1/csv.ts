/**
 * The summary's tables as CSV files named and headed like the sheets of the
 * GSTR-1 offline tool (b2b, b2cl, b2cs, cdnr, cdnur, exp, exemp, hsn), so a
 * file can be checked against, or pasted into, the tool: dates as 05-Oct-2026,
 * places of supply as "27-Maharashtra", rates as percentages, amounts in rupees
 * with two decimals and no grouping (the tool reads plain numbers), units as
 * "NOS-NUMBERS". One row per document and rate, as the tool has it; the tool
 * computes the tax of B2B, B2C and note rows itself, so (as in its sheets) only
 * the HSN file carries tax amounts. Columns the business does not record
 * (e-commerce GSTIN, port code, shipping bill) are left empty.
 */
import { returnDate } from '../calendar.js'
import { formatPercent, formatScaled } from '../money.js'
import { stateName } from '../identifiers.js'
import { UQC } from '../units.js'
import type { Gstr1Summary, InvoiceEntry, NoteEntry, RateAmounts } from './types.js'

export const GSTR1_TABLES = ['b2b', 'b2cl', 'b2cs', 'cdnr', 'cdnur', 'exp', 'exemp', 'hsn'] as const
export type Gstr1Table = (typeof GSTR1_TABLES)[number]

export const GSTR1_HEADINGS: Record<Gstr1Table, readonly string[]> = {
  b2b: ['GSTIN/UIN of Recipient', 'Receiver Name', 'Invoice Number', 'Invoice date', 'Invoice Value', 'Place Of Supply', 'Reverse Charge', 'Applicable % of Tax Rate', 'Invoice Type', 'E-Commerce GSTIN', 'Rate', 'Taxable Value', 'Cess Amount'],
  b2cl: ['Invoice Number', 'Invoice date', 'Invoice Value', 'Place Of Supply', 'Applicable % of Tax Rate', 'Rate', 'Taxable Value', 'Cess Amount', 'E-Commerce GSTIN'],
  b2cs: ['Type', 'Place Of Supply', 'Applicable % of Tax Rate', 'Rate', 'Taxable Value', 'Cess Amount', 'E-Commerce GSTIN'],
  cdnr: ['GSTIN/UIN of Recipient', 'Receiver Name', 'Note Number', 'Note Date', 'Note Type', 'Place Of Supply', 'Reverse Charge', 'Note Supply Type', 'Note Value', 'Applicable % of Tax Rate', 'Rate', 'Taxable Value', 'Cess Amount'],
  cdnur: ['UR Type', 'Note Number', 'Note Date', 'Note Type', 'Place Of Supply', 'Note Value', 'Applicable % of Tax Rate', 'Rate', 'Taxable Value', 'Cess Amount'],
  exp: ['Export Type', 'Invoice Number', 'Invoice date', 'Invoice Value', 'Port Code', 'Shipping Bill Number', 'Shipping Bill Date', 'Rate', 'Taxable Value', 'Cess Amount'],
  exemp: ['Description', 'Nil Rated Supplies', 'Exempted(other than nil rated/non GST supply)', 'Non-GST Supplies'],
  hsn: ['HSN', 'Description', 'UQC', 'Total Quantity', 'Total Value', 'Rate', 'Taxable Value', 'Integrated Tax Amount', 'Central Tax Amount', 'State/UT Tax Amount', 'Cess Amount'],
}

/** Paise to plain rupees: 123450 -> "1234.50", -40 -> "-0.40". */
export function csvRupees(paise: number): string {
  const abs = Math.abs(paise)
  return `${paise < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** "27" -> "27-Maharashtra"; an export's place of supply is "96-Other Countries" in the tool. */
export function csvPlace(code: string): string {
  return code === '96' ? '96-Other Countries' : `${code}-${stateName(code)}`
}

const UQC_NAMES = new Map(UQC.map((u) => [u.code, u.name.toUpperCase()]))
const csvUnit = (code: string) => `${code}-${UQC_NAMES.get(code) ?? 'OTHERS'}`
const cell = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)
const yn = (b: boolean) => (b ? 'Y' : 'N')

/** One row per rate of a document; a document with no rated line (all exempt) still gets one row, at 0 %. */
function perRate(doc: InvoiceEntry, row: (r: RateAmounts) => string[]): string[][] {
  const rates = doc.rates.length ? doc.rates : [{ rateBps: 0, taxablePaise: 0, igstPaise: 0, cgstPaise: 0, sgstPaise: 0, cessPaise: 0 }]
  return rates.map(row)
}

const rateCells = (r: RateAmounts) => [formatPercent(r.rateBps), csvRupees(r.taxablePaise), csvRupees(r.cessPaise)]
const noteType = (n: NoteEntry) => (n.kind === 'credit' ? 'C' : 'D')

function rows(s: Gstr1Summary, table: Gstr1Table): string[][] {
  switch (table) {
    case 'b2b':
      return s.b2b.flatMap((g) =>
        g.invoices.flatMap((i) => perRate(i, (r) => [g.gstin, g.name, i.number, returnDate(i.date), csvRupees(i.valuePaise), csvPlace(i.placeOfSupply), yn(i.reverseCharge), '', i.type, '', ...rateCells(r)])),
      )
    case 'b2cl':
      return s.b2cl.flatMap((i) => perRate(i, (r) => [i.number, returnDate(i.date), csvRupees(i.valuePaise), csvPlace(i.placeOfSupply), '', ...rateCells(r), '']))
    case 'b2cs':
      return s.b2cs.map((r) => ['OE', csvPlace(r.placeOfSupply), '', ...rateCells(r), ''])
    case 'cdnr':
      return s.cdnr.flatMap((n) =>
        perRate(n, (r) => [n.buyerGstin!, n.buyerName, n.number, returnDate(n.date), noteType(n), csvPlace(n.placeOfSupply), yn(n.reverseCharge), n.type, csvRupees(n.valuePaise), '', ...rateCells(r)]),
      )
    case 'cdnur':
      return s.cdnur.flatMap((n) => perRate(n, (r) => [n.urType, n.number, returnDate(n.date), noteType(n), csvPlace(n.placeOfSupply), csvRupees(n.valuePaise), '', ...rateCells(r)]))
    case 'exp':
      return s.exports.flatMap((i) => perRate(i, (r) => [i.type, i.number, returnDate(i.date), csvRupees(i.valuePaise), '', '', '', ...rateCells(r)]))
    case 'exemp':
      // the tool's four rows, when the month has any such supply
      if (!s.nil.some((n) => n.nilPaise || n.exemptPaise || n.nonGstPaise)) return []
      return s.nil.map((n) => [n.description, csvRupees(n.nilPaise), csvRupees(n.exemptPaise), csvRupees(n.nonGstPaise)])
    case 'hsn':
      return s.hsn.map((h) => [
        h.hsn,
        h.description,
        csvUnit(h.unit),
        formatScaled(h.quantityMilli, 3),
        csvRupees(h.valuePaise),
        formatPercent(h.rateBps),
        csvRupees(h.taxablePaise),
        csvRupees(h.igstPaise),
        csvRupees(h.cgstPaise),
        csvRupees(h.sgstPaise),
        csvRupees(h.cessPaise),
      ])
  }
}

/** One table of the summary as CSV (RFC 4180, CRLF); a month with nothing gives the heading row alone. */
export function gstr1Csv(s: Gstr1Summary, table: Gstr1Table): string {
  const lines = [GSTR1_HEADINGS[table], ...rows(s, table)].map((r) => r.map(cell).join(','))
  return lines.join('\r\n') + '\r\n'
}
