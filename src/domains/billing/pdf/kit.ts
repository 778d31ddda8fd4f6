/**
 * What the invoice and note PDFs share (pdfkit, on the server): the fonts, the
 * page, tables, the party blocks, the sums and the signature.
 *
 * The standard PDF fonts have no ₹ sign, so the documents embed DejaVu Sans
 * Condensed (Bitstream Vera licence: free to use, embed and redistribute), read
 * from the dejavu-fonts-ttf package in node_modules: `npm install` brings it, and
 * pdfkit embeds only the glyphs a document uses.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import PDFDocument from 'pdfkit'
import { formatPaise, formatPercent, formatScaled } from '../money.js'
import { stateName } from '../identifiers.js'
import { rupeesInWords } from '../words.js'

/** Font names registered in every document. */
export const FONT = { regular: 'Body', bold: 'Body-Bold', italic: 'Body-Oblique', mono: 'Mono-Bold' } as const

const FILES: Record<string, string> = {
  [FONT.regular]: 'DejaVuSansCondensed.ttf',
  [FONT.bold]: 'DejaVuSansCondensed-Bold.ttf',
  [FONT.italic]: 'DejaVuSansCondensed-Oblique.ttf',
  [FONT.mono]: 'DejaVuSansMono-Bold.ttf',
}

/** Where the font files are: the package's ttf folder, found the way Node finds the package. */
export function fontPath(file: string): string {
  return join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf', file)
}

let fonts: Map<string, Buffer> | null = null
/** The font files, read once per process. */
function fontData(): Map<string, Buffer> {
  fonts ??= new Map(Object.entries(FILES).map(([name, file]) => [name, readFileSync(fontPath(file))]))
  return fonts
}

export const rupees = (paise: number) => `₹${formatPaise(paise)}`
export const state = (code: string) => `${stateName(code)} (${code})`
export const PAGE = { left: 36, right: 559, width: 523 }

export interface Column {
  title: string
  width: number
  right?: boolean
}

/** A new A4 document with the fonts registered, and a promise of its bytes. */
export function newDocument(title: string, author: string): { doc: PDFKit.PDFDocument; bytes: Promise<Buffer> } {
  // Uncompressed: a few kB more, and the text stays searchable (tests read it).
  const doc = new PDFDocument({ size: 'A4', margin: 36, compress: false, info: { Title: title, Author: author } })
  for (const [name, data] of fontData()) doc.registerFont(name, data)
  doc.font(FONT.regular)
  const chunks: Buffer[] = []
  doc.on('data', (c: Buffer) => chunks.push(c))
  const bytes = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)))
    doc.on('error', reject)
  })
  return { doc, bytes }
}

export function table(doc: PDFKit.PDFDocument, columns: Column[], rows: string[][]) {
  const draw = (cells: string[], bold: boolean) => {
    const y = doc.y
    let x = PAGE.left
    let height = 0
    doc.font(bold ? FONT.bold : FONT.regular).fontSize(7.5)
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

/** Side by side: each block a heading and lines, 170 pt wide; the cursor goes below the longest. */
export function parties(doc: PDFKit.PDFDocument, blocks: Array<[string, string[]]>) {
  const top = doc.y
  const bottoms = blocks.map(([heading, lines], i) => {
    const x = PAGE.left + 176 * i
    doc.font(FONT.bold).fontSize(8).text(heading.toUpperCase(), x, top, { width: 170 })
    doc.font(FONT.regular).fontSize(9)
    for (const line of lines.filter(Boolean)) doc.text(line, x, doc.y, { width: 170 })
    return doc.y
  })
  doc.x = PAGE.left
  doc.y = Math.max(top, ...bottoms) + 10
}

/** The totals, right-aligned; the row labelled "Total" in bold. */
export function sums(doc: PDFKit.PDFDocument, rows: Array<[string, string]>) {
  for (const [label, value] of rows) {
    const y = doc.y
    const total = label === 'Total'
    doc.font(total ? FONT.bold : FONT.regular).fontSize(total ? 11 : 9)
    doc.text(label, PAGE.right - 260, y, { width: 160 })
    doc.text(value, PAGE.right - 100, y, { width: 100, align: 'right' })
  }
  doc.x = PAGE.left
  doc.moveDown(0.5)
}

/** A line of an invoice or a note, as both tables print it. */
interface TaxedLine {
  position: number
  description: string
  hsn: string
  quantityMilli: number
  unit: string
  unitPricePaise: number
  taxablePaise: number
  taxClass: string
  rateBps: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  totalPaise: number
}

/**
 * The lines table of an invoice or a note: CGST and SGST/UTGST columns within a state, IGST
 * across. The two documents differ in how a discount is shown and so in a few column widths.
 */
export function linesTable<L extends TaxedLine>(
  doc: PDFKit.PDFDocument,
  lines: L[],
  o: {
    intra: boolean
    secondTax: string
    widths: { description: number; quantity: number; tax: number; amount: number }
    discount: Column & { cell: (line: L) => string }
  },
) {
  const taxColumns: Column[] = o.intra
    ? [
        { title: 'CGST ₹', width: o.widths.tax / 2, right: true },
        { title: `${o.secondTax} ₹`, width: o.widths.tax / 2, right: true },
      ]
    : [{ title: 'IGST ₹', width: o.widths.tax, right: true }]
  table(
    doc,
    [
      { title: '#', width: 14 },
      { title: 'Description', width: o.widths.description },
      { title: 'HSN/SAC', width: 40 },
      { title: 'Qty', width: o.widths.quantity, right: true },
      { title: 'Rate ₹', width: 58, right: true },
      { title: o.discount.title, width: o.discount.width, right: true },
      { title: 'Taxable ₹', width: 60, right: true },
      { title: 'GST', width: 26, right: true },
      ...taxColumns,
      { title: 'Amount ₹', width: o.widths.amount, right: true },
    ],
    lines.map((l) => [
      String(l.position),
      l.description,
      l.hsn,
      `${formatScaled(l.quantityMilli, 3)} ${l.unit}`,
      formatPaise(l.unitPricePaise),
      o.discount.cell(l),
      formatPaise(l.taxablePaise),
      l.taxClass === 'taxable' ? `${formatPercent(l.rateBps)} %` : l.taxClass,
      ...(o.intra ? [formatPaise(l.cgstPaise), formatPaise(l.sgstPaise)] : [formatPaise(l.igstPaise)]),
      formatPaise(l.totalPaise),
    ]),
  )
}

/** A document's stored totals, as `taxSums` prints them. */
interface TaxTotals {
  taxablePaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  cessPaise: number
  roundOffPaise: number
  totalPaise: number
}

/** Taxable value, the taxes, cess when any, `extra` rows, round off and the total, then the total in words. */
export function taxSums(doc: PDFKit.PDFDocument, t: TaxTotals, o: { intra: boolean; secondTax: string; extra?: Array<[string, string]> }) {
  const rows: Array<[string, string]> = [['Taxable value', rupees(t.taxablePaise)]]
  if (o.intra) rows.push(['CGST', rupees(t.cgstPaise)], [o.secondTax, rupees(t.sgstPaise)])
  else rows.push(['IGST', rupees(t.igstPaise)])
  if (t.cessPaise) rows.push(['Cess', rupees(t.cessPaise)])
  rows.push(...(o.extra ?? []))
  rows.push(['Round off', `${t.roundOffPaise > 0 ? '+' : ''}${formatPaise(t.roundOffPaise)}`], ['Total', rupees(t.totalPaise)])
  sums(doc, rows)
  doc.font(FONT.italic).fontSize(9).text(rupeesInWords(t.totalPaise), PAGE.left, doc.y, { width: PAGE.width })
}

/** "For <seller>", room to sign, "Authorised signatory: <name>" (Rule 46(q)), and the note on rounding. */
export function signature(doc: PDFKit.PDFDocument, sellerName: string, signatory: string) {
  doc.moveDown(1)
  doc.font(FONT.regular).fontSize(9).text(`For ${sellerName}`, PAGE.left, doc.y, { width: PAGE.width, align: 'right' })
  doc.moveDown(2.5)
  doc.text(`Authorised signatory${signatory ? `: ${signatory}` : ''}`, { width: PAGE.width, align: 'right' })
  doc.moveDown(1)
  doc
    .fontSize(7)
    .fillColor('#555555')
    .text('Amounts in Indian rupees. Tax is computed per line and rounded to the paisa (half up); the total is rounded to the rupee.', PAGE.left, doc.y, { width: PAGE.width })
    .fillColor('black')
}
