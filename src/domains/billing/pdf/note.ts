/**
 * A credit or debit note as a PDF, matching its printed page (views/billing/
 * note-document.eta): what Rule 53 asks of a note, namely the supplier, the
 * kind, number and date of the note, the recipient, the invoice it is against
 * (number and date), the value, rate and tax of each line, and the signature.
 */
import { formatPercent } from '../money.js'
import type { NoteDocument } from '../service/index.js'
import { FONT, linesTable, newDocument, PAGE, parties, signature, state, taxSums } from './kit.js'

/** The note's PDF, one copy, as bytes. */
export function notePdf(view: NoteDocument): Promise<Buffer> {
  const { note, invoice: inv, lines } = view
  const intra = inv.supply === 'intra'
  const { doc, bytes } = newDocument(`${view.title} ${note.number}`, inv.sellerName)
  doc.font(FONT.bold).fontSize(16).text(view.title, PAGE.left, doc.y)
  doc.font(FONT.mono).fontSize(11).text(note.number)
  doc.font(FONT.regular).fontSize(9)
  doc.text(`Note date ${note.noteDate}   Against invoice ${inv.number} dated ${inv.invoiceDate}`)
  doc.text(`Place of supply ${state(inv.placeOfSupply)}   Reverse charge ${inv.reverseCharge ? 'Yes' : 'No'}`)
  doc.text(`Reason: ${note.reason}`)
  if (inv.lut) doc.text('Supply under LUT/bond without payment of IGST')
  doc.moveDown(0.5)

  parties(doc, [
    ['Seller', [inv.sellerName, inv.sellerAddress, `GSTIN ${inv.sellerGstin}`, `State ${state(inv.sellerStateCode)}`]],
    ['Recipient', [inv.buyerName, inv.buyerAddress, `GSTIN ${inv.buyerGstin ?? 'Unregistered'}`, `State ${state(inv.buyerStateCode)}`]],
  ])

  linesTable(doc, lines, {
    intra,
    secondTax: view.secondTax,
    widths: { description: 90, quantity: 50, tax: 100, amount: 51 },
    discount: { title: 'Disc.', width: 34, cell: (l) => (l.discountBps ? `${formatPercent(l.discountBps)} %` : '') },
  })
  taxSums(doc, note, { intra, secondTax: view.secondTax })
  signature(doc, inv.sellerName, inv.sellerSignatory)
  doc.end()
  return bytes
}
