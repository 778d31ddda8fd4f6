/**
 * A credit or debit note as a PDF, matching its printed page (views/billing/
 * note-document.eta): what Rule 53 asks of a note, namely the supplier, the
 * kind, number and date of the note, the recipient, the invoice it is against
 * (number and date), the value, rate and tax of each line, and the signature.
 */
import { formatPaise, formatPercent, formatScaled } from '../money.js'
import type { NoteDocument } from '../service/index.js'
import { rupeesInWords } from '../words.js'
import { FONT, newDocument, PAGE, parties, rupees, signature, state, sums, table, type Column } from './kit.js'

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

  const taxColumns: Column[] = intra
    ? [
        { title: 'CGST ₹', width: 50, right: true },
        { title: `${view.secondTax} ₹`, width: 50, right: true },
      ]
    : [{ title: 'IGST ₹', width: 100, right: true }]
  table(
    doc,
    [
      { title: '#', width: 14 },
      { title: 'Description', width: 90 },
      { title: 'HSN/SAC', width: 40 },
      { title: 'Qty', width: 50, right: true },
      { title: 'Rate ₹', width: 58, right: true },
      { title: 'Disc.', width: 34, right: true },
      { title: 'Taxable ₹', width: 60, right: true },
      { title: 'GST', width: 26, right: true },
      ...taxColumns,
      { title: 'Amount ₹', width: 51, right: true },
    ],
    lines.map((l) => [
      String(l.position),
      l.description,
      l.hsn,
      `${formatScaled(l.quantityMilli, 3)} ${l.unit}`,
      formatPaise(l.unitPricePaise),
      l.discountBps ? `${formatPercent(l.discountBps)} %` : '',
      formatPaise(l.taxablePaise),
      l.taxClass === 'taxable' ? `${formatPercent(l.rateBps)} %` : l.taxClass,
      ...(intra ? [formatPaise(l.cgstPaise), formatPaise(l.sgstPaise)] : [formatPaise(l.igstPaise)]),
      formatPaise(l.totalPaise),
    ]),
  )

  const rows: Array<[string, string]> = [['Taxable value', rupees(note.taxablePaise)]]
  if (intra) rows.push(['CGST', rupees(note.cgstPaise)], [view.secondTax, rupees(note.sgstPaise)])
  else rows.push(['IGST', rupees(note.igstPaise)])
  if (note.cessPaise) rows.push(['Cess', rupees(note.cessPaise)])
  rows.push(['Round off', `${note.roundOffPaise > 0 ? '+' : ''}${formatPaise(note.roundOffPaise)}`], ['Total', rupees(note.totalPaise)])
  sums(doc, rows)
  doc.font(FONT.italic).fontSize(9).text(rupeesInWords(note.totalPaise), PAGE.left, doc.y, { width: PAGE.width })
  signature(doc, inv.sellerName, inv.sellerSignatory)
  doc.end()
  return bytes
}
