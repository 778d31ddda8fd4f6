/**
 * What a document (invoice or note) stores and prints from its computed totals:
 * its amount columns, its title (Rule 49) and its HSN-wise summary. Pure.
 */
import type { InvoiceTotals, LineAmounts, TaxClass } from './gst.js'

/** The stored amount columns of a document (invoice or note) from its totals. */
export function documentAmounts(t: InvoiceTotals) {
  return {
    taxablePaise: t.taxablePaise,
    cgstPaise: t.cgstPaise,
    sgstPaise: t.sgstPaise,
    igstPaise: t.igstPaise,
    cessPaise: t.cessPaise,
    roundOffPaise: t.roundOffPaise,
    totalPaise: t.grandTotalPaise,
  }
}

/** The stored amount columns of one line. */
export function lineAmountColumns(a: LineAmounts) {
  return { taxablePaise: a.taxablePaise, cgstPaise: a.cgstPaise, sgstPaise: a.sgstPaise, igstPaise: a.igstPaise, cessPaise: a.cessPaise, totalPaise: a.totalPaise }
}

/**
 * Rule 49: a document on which nothing is taxable (only nil-rated, exempt or
 * non-GST lines) is a "Bill of supply", not a "Tax invoice".
 */
export function documentTitle(taxClasses: readonly TaxClass[]): 'Tax invoice' | 'Bill of supply' {
  return taxClasses.length > 0 && taxClasses.every((c) => c === 'nil' || c === 'exempt' || c === 'non_gst') ? 'Bill of supply' : 'Tax invoice'
}

export interface HsnLine {
  hsn: string
  unit: string
  rateBps: number
  quantityMilli: number
  taxablePaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  cessPaise: number
}

/** The HSN-wise summary (Rule 46(g), GSTR-1 table 12): one row per HSN, unit and rate. */
export function hsnSummary(lines: readonly HsnLine[]): HsnLine[] {
  const rows = new Map<string, HsnLine>()
  for (const l of lines) {
    const key = `${l.hsn}|${l.unit}|${l.rateBps}`
    const r = rows.get(key) ?? { hsn: l.hsn, unit: l.unit, rateBps: l.rateBps, quantityMilli: 0, taxablePaise: 0, cgstPaise: 0, sgstPaise: 0, igstPaise: 0, cessPaise: 0 }
    r.quantityMilli += l.quantityMilli
    r.taxablePaise += l.taxablePaise
    r.cgstPaise += l.cgstPaise
    r.sgstPaise += l.sgstPaise
    r.igstPaise += l.igstPaise
    r.cessPaise += l.cessPaise
    rows.set(key, r)
  }
  return [...rows.values()].sort((a, b) => a.hsn.localeCompare(b.hsn) || a.rateBps - b.rateBps || a.unit.localeCompare(b.unit))
}
