/**
 * The monthly GSTR-1-style summary of a business's outward supplies. Pure: it
 * takes the month's invoices and notes (cancelled ones and drafts already left
 * out by the caller) and sorts them into the return's tables:
 *
 *  - B2B (table 4): invoices to buyers with a GSTIN, one row per invoice and rate;
 *  - B2C large (table 5): inter-state invoices to unregistered buyers whose value
 *    is above ₹1,00,000 (exactly ₹1,00,000 is not above), invoice by invoice;
 *  - B2C small (table 7): every other invoice to an unregistered buyer in India,
 *    intra-state ones of any size included, by place of supply and rate;
 *  - exports (table 6A): place of supply 96, with payment of IGST (WPAY) or under
 *    LUT/bond (WOPAY);
 *  - credit and debit notes (table 9B): to registered buyers (CDNR); to
 *    unregistered ones (CDNUR) when the invoice was B2C large or an export.
 *    A note against a B2C small invoice is not reported on its own: as the return
 *    asks, it is netted into B2C small (credit subtracts, debit adds) in the
 *    note's month, and listed with that mark;
 *  - nil-rated, exempt and non-GST supplies (table 8), by registered or not and
 *    intra- or inter-state (invoice lines only: notes are not reported there);
 *  - the HSN summary (table 12): every line, net of the month's notes (credit
 *    notes subtract their quantity and amounts).
 *
 * A note counts in the month of its own date, whatever the date of its invoice.
 * Money stays integer paise; rates basis points; quantities thousandths.
 */
import type { TaxClass } from '../gst.js'
import type { B2csRow, Gstr1Invoice, Gstr1Line, Gstr1Note, Gstr1Summary, HsnRow, InvoiceEntry, NilRow, NoteEntry, RateAmounts } from './types.js'

export type * from './types.js'

/** B2C large: an inter-state invoice to an unregistered buyer above this value (₹1,00,000). */
export const B2CL_ABOVE_PAISE = 1_00_000_00

export type Gstr1Category = 'b2b' | 'b2cl' | 'b2cs' | 'export'

export function categoryOf(invoice: Pick<Gstr1Invoice, 'placeOfSupply' | 'buyerGstin' | 'supply' | 'totalPaise'>): Gstr1Category {
  if (invoice.placeOfSupply === '96') return 'export'
  if (invoice.buyerGstin) return 'b2b'
  if (invoice.supply === 'inter' && invoice.totalPaise > B2CL_ABOVE_PAISE) return 'b2cl'
  return 'b2cs'
}

const carriesRate = (c: TaxClass) => c === 'taxable' || c === 'zero'

function emptyRate(rateBps: number): RateAmounts {
  return { rateBps, taxablePaise: 0, igstPaise: 0, cgstPaise: 0, sgstPaise: 0, cessPaise: 0 }
}

function addTo(target: RateAmounts, l: RateAmounts, sign: 1 | -1) {
  target.taxablePaise += sign * l.taxablePaise
  target.igstPaise += sign * l.igstPaise
  target.cgstPaise += sign * l.cgstPaise
  target.sgstPaise += sign * l.sgstPaise
  target.cessPaise += sign * l.cessPaise
}

/** The lines that carry a rate (taxable or zero-rated), summed per rate, lowest first. */
export function byRate(lines: readonly Gstr1Line[]): RateAmounts[] {
  const rates = new Map<number, RateAmounts>()
  for (const l of lines) {
    if (!carriesRate(l.taxClass)) continue
    const r = rates.get(l.rateBps) ?? emptyRate(l.rateBps)
    addTo(r, l, 1)
    rates.set(l.rateBps, r)
  }
  return [...rates.values()].sort((a, b) => a.rateBps - b.rateBps)
}

function invoiceEntry(i: Omit<Gstr1Invoice, 'lines'>, lines: readonly Gstr1Line[], category: Gstr1Category): InvoiceEntry {
  const type = category === 'export' ? (i.lut ? 'WOPAY' : 'WPAY') : i.lut ? 'SEZ supplies without payment' : 'Regular B2B'
  return {
    invoiceId: i.id,
    number: i.number,
    date: i.invoiceDate,
    valuePaise: i.totalPaise,
    placeOfSupply: i.placeOfSupply,
    reverseCharge: i.reverseCharge,
    buyerName: i.buyerName,
    buyerGstin: i.buyerGstin,
    type,
    rates: byRate(lines),
  }
}

const NIL_ROWS = [
  ['inter', true, 'Inter-State supplies to registered persons'],
  ['intra', true, 'Intra-State supplies to registered persons'],
  ['inter', false, 'Inter-State supplies to unregistered persons'],
  ['intra', false, 'Intra-State supplies to unregistered persons'],
] as const

export function gstr1Summary(month: string, invoices: readonly Gstr1Invoice[], notes: readonly Gstr1Note[]): Gstr1Summary {
  const b2b = new Map<string, { gstin: string; name: string; invoices: InvoiceEntry[] }>()
  const b2cl: InvoiceEntry[] = []
  const exports: InvoiceEntry[] = []
  const b2cs = new Map<string, B2csRow>()
  const nil = NIL_ROWS.map(([supply, registered, description]) => ({ supply, registered, row: { description, nilPaise: 0, exemptPaise: 0, nonGstPaise: 0 } as NilRow }))
  const hsn = new Map<string, HsnRow>()

  const toB2cs = (placeOfSupply: string, lines: readonly Gstr1Line[], sign: 1 | -1) => {
    for (const r of byRate(lines)) {
      const key = `${placeOfSupply}|${r.rateBps}`
      const row = b2cs.get(key) ?? { placeOfSupply, ...emptyRate(r.rateBps) }
      addTo(row, r, sign)
      b2cs.set(key, row)
    }
  }
  const toHsn = (lines: readonly Gstr1Line[], sign: 1 | -1) => {
    for (const l of lines) {
      const key = `${l.hsn}|${l.unit}|${l.rateBps}`
      const row = hsn.get(key) ?? { hsn: l.hsn, description: l.description, unit: l.unit, quantityMilli: 0, valuePaise: 0, ...emptyRate(l.rateBps) }
      addTo(row, l, sign)
      row.quantityMilli += sign * l.quantityMilli
      row.valuePaise += sign * (l.taxablePaise + l.igstPaise + l.cgstPaise + l.sgstPaise + l.cessPaise)
      hsn.set(key, row)
    }
  }

  for (const i of invoices) {
    const category = categoryOf(i)
    if (category === 'b2b') {
      const g = b2b.get(i.buyerGstin!) ?? { gstin: i.buyerGstin!, name: i.buyerName, invoices: [] }
      g.invoices.push(invoiceEntry(i, i.lines, category))
      b2b.set(i.buyerGstin!, g)
    } else if (category === 'b2cl') b2cl.push(invoiceEntry(i, i.lines, category))
    else if (category === 'export') exports.push(invoiceEntry(i, i.lines, category))
    else toB2cs(i.placeOfSupply, i.lines, 1)
    const n = nil.find((r) => r.supply === i.supply && r.registered === !!i.buyerGstin)!.row
    for (const l of i.lines) {
      if (l.taxClass === 'nil') n.nilPaise += l.taxablePaise
      else if (l.taxClass === 'exempt') n.exemptPaise += l.taxablePaise
      else if (l.taxClass === 'non_gst') n.nonGstPaise += l.taxablePaise
    }
    toHsn(i.lines, 1)
  }

  const cdnr: NoteEntry[] = []
  const cdnur: NoteEntry[] = []
  const b2csNotes: NoteEntry[] = []
  for (const n of notes) {
    const category = categoryOf(n.invoice)
    const urType = category === 'b2cl' ? 'B2CL' : category === 'export' ? (n.invoice.lut ? 'EXPWOP' : 'EXPWP') : category === 'b2cs' ? 'B2CS' : ''
    const entry: NoteEntry = {
      ...invoiceEntry({ ...n.invoice, number: n.number, invoiceDate: n.noteDate, totalPaise: n.totalPaise }, n.lines, category),
      noteId: n.id,
      kind: n.kind,
      invoiceNumber: n.invoice.number,
      invoiceDate: n.invoice.invoiceDate,
      urType,
    }
    const sign = n.kind === 'credit' ? -1 : 1
    if (category === 'b2b') cdnr.push(entry)
    else if (category === 'b2cs') {
      b2csNotes.push(entry)
      toB2cs(n.invoice.placeOfSupply, n.lines, sign)
    } else cdnur.push(entry)
    toHsn(n.lines, sign)
  }

  return {
    month,
    b2b: [...b2b.values()].sort((a, b) => a.gstin.localeCompare(b.gstin)),
    b2cl,
    b2cs: [...b2cs.values()].sort((a, b) => a.placeOfSupply.localeCompare(b.placeOfSupply) || a.rateBps - b.rateBps),
    exports,
    cdnr,
    cdnur,
    b2csNotes,
    nil: nil.map((r) => r.row),
    hsn: [...hsn.values()].sort((a, b) => a.hsn.localeCompare(b.hsn) || a.rateBps - b.rateBps || a.unit.localeCompare(b.unit)),
    empty: invoices.length === 0 && notes.length === 0,
  }
}
