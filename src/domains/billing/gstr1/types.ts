/** The shapes of the GSTR-1-style summary (see summary.ts for the rules). */
import type { Supply, TaxClass } from '../gst.js'

export interface Gstr1Line {
  hsn: string
  description: string
  unit: string
  quantityMilli: number
  rateBps: number
  taxClass: TaxClass
  taxablePaise: number
  cgstPaise: number
  sgstPaise: number
  igstPaise: number
  cessPaise: number
}

export interface Gstr1Invoice {
  id: number
  number: string
  invoiceDate: string
  placeOfSupply: string
  supply: Supply
  lut: boolean
  reverseCharge: boolean
  buyerName: string
  buyerGstin: string | null
  totalPaise: number
  lines: Gstr1Line[]
}

export interface Gstr1Note {
  id: number
  number: string
  noteDate: string
  kind: 'credit' | 'debit'
  totalPaise: number
  lines: Gstr1Line[]
  /** the invoice it is against (its lines are not needed) */
  invoice: Omit<Gstr1Invoice, 'lines'>
}

/** Taxable value and tax of one rate on one document (or one B2C small row). */
export interface RateAmounts {
  rateBps: number
  taxablePaise: number
  igstPaise: number
  cgstPaise: number
  sgstPaise: number
  cessPaise: number
}

export interface InvoiceEntry {
  invoiceId: number
  number: string
  date: string
  valuePaise: number
  placeOfSupply: string
  reverseCharge: boolean
  buyerName: string
  buyerGstin: string | null
  /** B2B: 'Regular B2B' or 'SEZ supplies without payment' (under LUT); exports: 'WPAY' or 'WOPAY' */
  type: string
  rates: RateAmounts[]
}

export interface NoteEntry extends InvoiceEntry {
  noteId: number
  kind: 'credit' | 'debit'
  invoiceNumber: string
  invoiceDate: string
  /** unregistered notes: 'B2CL', 'EXPWP' or 'EXPWOP'; 'B2CS' when netted into B2C small */
  urType: string
}

export interface B2csRow extends RateAmounts {
  placeOfSupply: string
}

export interface NilRow {
  description: string
  nilPaise: number
  exemptPaise: number
  nonGstPaise: number
}

export interface HsnRow extends RateAmounts {
  hsn: string
  description: string
  unit: string
  quantityMilli: number
  /** taxable value plus every tax */
  valuePaise: number
}

export interface Gstr1Summary {
  month: string
  b2b: Array<{ gstin: string; name: string; invoices: InvoiceEntry[] }>
  b2cl: InvoiceEntry[]
  b2cs: B2csRow[]
  exports: InvoiceEntry[]
  cdnr: NoteEntry[]
  cdnur: NoteEntry[]
  /** notes against B2C small invoices, already netted into b2cs */
  b2csNotes: NoteEntry[]
  nil: NilRow[]
  hsn: HsnRow[]
  /** nothing issued and no note in the month */
  empty: boolean
}
