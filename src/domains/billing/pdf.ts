/**
 * An invoice as a PDF (pdfkit, on the server): the printed page's content, one
 * page per copy (Original for recipient, Duplicate for transporter, Triplicate
 * for supplier). The standard PDF fonts have no ₹ sign, so amounts are headed
 * "Rs." and the document says it is in Indian rupees.
 */
import PDFDocument from 'pdfkit'
import { formatPaise, formatPercent, formatScaled } from './gst.js'
import { stateName } from './identifiers.js'
import type { InvoiceView } from './service/index.js'
import { rupeesInWords } from './words.js'

export const COPIES = ['Original for recipient', 'Duplicate for transporter', 'Triplicate for supplier'] as const

const state = (code: string) => `${stateName(code)} (${code})`
const PAGE = { left: 36, right: 559, width: 523 }

interface Column {
  title: string
  width: number
  right?: boolean
}

function table(doc: PDFKit.PDFDocument, columns: Column[], rows: string[][]) {
  const draw = (cells: string[], bold: boolean) => {
    const y = doc.y
    let x = PAGE.left
    let height = 0
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8)
    cells.forEach((cell, i) => {
      const c = columns[i]!
      doc.text(cell, x + 2, y, { width: c.width - 4, align: c.right ? 'right' : 'left' })
      height = Math.max(height, doc.y - y)
      x += c.width
    })
    doc.y = y + height + 3
    doc.moveTo(PAGE.left, doc.y - 1.5).lineTo(PAGE.right, doc.y - 1.5).lineWidth(0.3).strokeColor('#999999').stroke()
  }
  draw(
    columns.map((c) => c.title),
    true,
  )
  for (const row of rows) {
    if (doc.y > 760) doc.addPage()
    draw(row, false)
  }
  doc.moveDown(0.5)
}

function page(doc: PDFKit.PDFDocument, view: InvoiceView, copy: string) {
  const inv = view.invoice
  const intra = inv.supply === 'intra'
  const top = doc.y
  doc.font('Helvetica-Bold').fontSize(8).text(copy.toUpperCase(), PAGE.left, top, { width: PAGE.width, align: 'right' })
  doc.fontSize(16).text(view.title, PAGE.left, top)
  doc.font('Courier-Bold').fontSize(11).text(inv.number ?? 'DRAFT (not numbered yet)')
  if (inv.status === 'cancelled') doc.font('Helvetica-Bold').fillColor('#b42318').text(`CANCELLED: ${inv.cancelReason}`).fillColor('black')
  doc.font('Helvetica').fontSize(9)
  doc.text(`Invoice date ${inv.invoiceDate}   Due date ${inv.dueDate}   Place of supply ${state(inv.placeOfSupply)}   Reverse charge ${inv.reverseCharge ? 'Yes' : 'No'}`)
  if (inv.lut) doc.text('Supply under LUT/bond without payment of IGST')
  doc.moveDown(0.5)

  const partiesTop = doc.y
  const party = (x: number, heading: string, lines: string[]) => {
    doc.font('Helvetica-Bold').fontSize(8).text(heading.toUpperCase(), x, partiesTop, { width: 170 })
    doc.font('Helvetica').fontSize(9)
    for (const line of lines.filter(Boolean)) doc.text(line, x, doc.y, { width: 170 })
    return doc.y
  }
  const bottoms = [
    party(PAGE.left, 'Seller', [inv.sellerName, inv.sellerAddress, `GSTIN ${inv.sellerGstin}`, `State ${state(inv.sellerStateCode)}`]),
    party(PAGE.left + 176, 'Bill to', [inv.buyerName, inv.buyerAddress, `GSTIN ${inv.buyerGstin ?? 'Unregistered'}`, `State ${state(inv.buyerStateCode)}`, inv.buyerEmail]),
    inv.shipToAddress ? party(PAGE.left + 352, 'Ship to', [inv.shipToAddress]) : partiesTop,
  ]
  doc.x = PAGE.left
  doc.y = Math.max(...bottoms) + 10

  const taxColumns: Column[] = intra
    ? [
        { title: 'CGST', width: 45, right: true },
        { title: view.secondTax, width: 45, right: true },
      ]
    : [{ title: 'IGST', width: 90, right: true }]
  table(
    doc,
    [
      { title: '#', width: 16 },
      { title: 'Description', width: 100 },
      { title: 'HSN/SAC', width: 44 },
      { title: 'Qty', width: 50, right: true },
      { title: 'Rate Rs.', width: 50, right: true },
      { title: 'Discount Rs.', width: 50, right: true },
      { title: 'Taxable Rs.', width: 55, right: true },
      { title: 'GST', width: 30, right: true },
      ...taxColumns,
      { title: 'Amount Rs.', width: 38 + 0, right: true },
    ],
    view.lines.map((l) => [
      String(l.position),
      l.description,
      l.hsn,
      `${formatScaled(l.quantityMilli, 3)} ${l.unit}`,
      formatPaise(l.unitPricePaise),
      l.discountPaise ? formatPaise(l.discountPaise) : '',
      formatPaise(l.taxablePaise),
      l.taxClass === 'taxable' ? `${formatPercent(l.rateBps)} %` : l.taxClass,
      ...(intra ? [formatPaise(l.cgstPaise), formatPaise(l.sgstPaise)] : [formatPaise(l.igstPaise)]),
      formatPaise(l.totalPaise),
    ]),
  )

  const sums: Array<[string, number]> = [['Taxable value', inv.taxablePaise]]
  if (intra) sums.push(['CGST', inv.cgstPaise], [view.secondTax, inv.sgstPaise])
  else sums.push(['IGST', inv.igstPaise])
  if (inv.cessPaise) sums.push(['Cess', inv.cessPaise])
  sums.push(['Round off', inv.roundOffPaise], ['Total', inv.totalPaise])
  for (const [label, paise] of sums) {
    const y = doc.y
    doc.font(label === 'Total' ? 'Helvetica-Bold' : 'Helvetica').fontSize(label === 'Total' ? 11 : 9)
    doc.text(label, PAGE.right - 200, y, { width: 110 })
    doc.text(`Rs. ${formatPaise(paise)}`, PAGE.right - 90, y, { width: 90, align: 'right' })
  }
  doc.x = PAGE.left
  doc.moveDown(0.5)
  doc.font('Helvetica-Oblique').fontSize(9).text(rupeesInWords(inv.totalPaise), PAGE.left, doc.y, { width: PAGE.width })
  doc.moveDown(0.5)

  doc.font('Helvetica-Bold').fontSize(8).text('HSN/SAC SUMMARY')
  table(
    doc,
    [
      { title: 'HSN/SAC', width: 80 },
      { title: 'Qty', width: 90, right: true },
      { title: 'Rate', width: 60, right: true },
      { title: 'Taxable Rs.', width: 100, right: true },
      { title: 'Tax Rs.', width: 100, right: true },
      { title: 'Cess Rs.', width: 93, right: true },
    ],
    view.hsn.map((h) => [h.hsn, `${formatScaled(h.quantityMilli, 3)} ${h.unit}`, `${formatPercent(h.rateBps)} %`, formatPaise(h.taxablePaise), formatPaise(h.cgstPaise + h.sgstPaise + h.igstPaise), formatPaise(h.cessPaise)]),
  )
  if (inv.notes) doc.font('Helvetica').fontSize(9).text(inv.notes, PAGE.left, doc.y, { width: PAGE.width })
  doc.moveDown(1)
  doc.font('Helvetica').fontSize(9).text(`For ${inv.sellerName}`, PAGE.left, doc.y, { width: PAGE.width, align: 'right' })
  doc.moveDown(2.5)
  doc.text(`Authorised signatory${inv.sellerSignatory ? `: ${inv.sellerSignatory}` : ''}`, { width: PAGE.width, align: 'right' })
  doc.moveDown(1)
  doc.fontSize(7).fillColor('#555555').text('Amounts in Indian rupees (Rs.). Tax is computed per line and rounded to the paisa (half up); the total is rounded to the rupee.', PAGE.left, doc.y, { width: PAGE.width }).fillColor('black')
}

/** The invoice's PDF, three copies, as bytes. */
export function invoicePdf(view: InvoiceView): Promise<Buffer> {
  // Uncompressed: a few kB more, and the text stays searchable (tests read it).
  const doc = new PDFDocument({ size: 'A4', margin: 36, compress: false, info: { Title: `${view.title} ${view.invoice.number ?? 'draft'}`, Author: view.invoice.sellerName } })
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  COPIES.forEach((copy, i) => {
    if (i > 0) doc.addPage()
    page(doc, view, copy)
  })
  doc.end()
  return done
}
