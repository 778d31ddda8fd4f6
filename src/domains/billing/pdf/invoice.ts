/**
 * An invoice as a PDF: the printed page's content, one page per copy (Original
 * for recipient, Duplicate for transporter, Triplicate for supplier), amounts
 * with the ₹ sign (the embedded font has it, see kit.ts).
 */
import { formatPaise, formatPercent, formatScaled } from '../money.js'
import type { InvoiceView } from '../service/index.js'
import { FONT, linesTable, newDocument, PAGE, parties, rupees, signature, state, table, taxSums } from './kit.js'

export const COPIES = ['Original for recipient', 'Duplicate for transporter', 'Triplicate for supplier'] as const

function page(doc: PDFKit.PDFDocument, view: InvoiceView, copy: string) {
  const inv = view.invoice
  const intra = inv.supply === 'intra'
  const top = doc.y
  doc.font(FONT.bold).fontSize(8).text(copy.toUpperCase(), PAGE.left, top, { width: PAGE.width, align: 'right' })
  doc.fontSize(16).text(view.title, PAGE.left, top)
  doc.font(FONT.mono).fontSize(11).text(inv.number ?? 'DRAFT (not numbered yet)')
  if (inv.status === 'cancelled') doc.font(FONT.bold).fillColor('#b42318').text(`CANCELLED: ${inv.cancelReason}`).fillColor('black')
  doc.font(FONT.regular).fontSize(9)
  doc.text(`Invoice date ${inv.invoiceDate}   Due date ${inv.dueDate}   Place of supply ${state(inv.placeOfSupply)}   Reverse charge ${inv.reverseCharge ? 'Yes' : 'No'}`)
  if (inv.lut) doc.text('Supply under LUT/bond without payment of IGST')
  doc.moveDown(0.5)

  parties(doc, [
    ['Seller', [inv.sellerName, inv.sellerAddress, `GSTIN ${inv.sellerGstin}`, `State ${state(inv.sellerStateCode)}`]],
    ['Bill to', [inv.buyerName, inv.buyerAddress, `GSTIN ${inv.buyerGstin ?? 'Unregistered'}`, `State ${state(inv.buyerStateCode)}`, inv.buyerEmail]],
    ...(inv.shipToAddress ? [['Ship to', [inv.shipToAddress]] as [string, string[]]] : []),
  ])

  linesTable(doc, view.lines, {
    intra,
    secondTax: view.secondTax,
    widths: { description: 70, quantity: 44, tax: 104, amount: 57 },
    discount: { title: 'Discount ₹', width: 50, cell: (l) => (l.discountPaise ? formatPaise(l.discountPaise) : '') },
  })
  const reverseCharge: Array<[string, string]> = inv.reverseCharge
    ? [['Tax payable by the recipient (reverse charge)', rupees(inv.cgstPaise + inv.sgstPaise + inv.igstPaise + inv.cessPaise)]]
    : []
  taxSums(doc, inv, { intra, secondTax: view.secondTax, extra: reverseCharge })
  doc.moveDown(0.5)

  doc.font(FONT.bold).fontSize(8).text('HSN/SAC SUMMARY')
  table(
    doc,
    [
      { title: 'HSN/SAC', width: 80 },
      { title: 'Qty', width: 90, right: true },
      { title: 'Rate', width: 60, right: true },
      { title: 'Taxable ₹', width: 100, right: true },
      { title: 'Tax ₹', width: 100, right: true },
      { title: 'Cess ₹', width: 93, right: true },
    ],
    view.hsn.map((h) => [h.hsn, `${formatScaled(h.quantityMilli, 3)} ${h.unit}`, `${formatPercent(h.rateBps)} %`, formatPaise(h.taxablePaise), formatPaise(h.cgstPaise + h.sgstPaise + h.igstPaise), formatPaise(h.cessPaise)]),
  )
  if (inv.notes) doc.font(FONT.regular).fontSize(9).text(inv.notes, PAGE.left, doc.y, { width: PAGE.width })
  signature(doc, inv.sellerName, inv.sellerSignatory)
}

/** The invoice's PDF, three copies, as bytes. */
export function invoicePdf(view: InvoiceView): Promise<Buffer> {
  const { doc, bytes } = newDocument(`${view.title} ${view.invoice.number ?? 'draft'}`, view.invoice.sellerName)
  COPIES.forEach((copy, i) => {
    if (i > 0) doc.addPage()
    page(doc, view, copy)
  })
  doc.end()
  return bytes
}
