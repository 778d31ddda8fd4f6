/**
 * The monthly GSTR-1-style summary of a business (see gstr1/summary.ts for the
 * tables): the month's issued and paid invoices and the notes dated in it, read
 * with the query builder (the month is a range of dates computed in TypeScript).
 * Drafts and cancelled invoices are left out, and so are notes against a
 * cancelled invoice (none can exist today: an invoice with notes cannot be
 * cancelled, nor can a cancelled one get a note; the filter keeps it true).
 */
import { and, asc, eq, gte, inArray, lt, ne } from 'drizzle-orm'
import { monthRange } from '../calendar.js'
import type { Supply, TaxClass } from '../gst.js'
import { gstr1Summary, type Gstr1Invoice, type Gstr1Line, type Gstr1Summary } from '../gstr1/summary.js'
import { billingInvoiceLines, billingInvoices, billingNoteLines, billingNotes, type InvoiceLineRow, type InvoiceRow, type NoteLineRow } from '../schema.js'
import type { BillingContext } from './context.js'

const line = (l: InvoiceLineRow | NoteLineRow): Gstr1Line => ({
  hsn: l.hsn,
  description: l.description,
  unit: l.unit,
  quantityMilli: l.quantityMilli,
  rateBps: l.rateBps,
  taxClass: l.taxClass as TaxClass,
  taxablePaise: l.taxablePaise,
  cgstPaise: l.cgstPaise,
  sgstPaise: l.sgstPaise,
  igstPaise: l.igstPaise,
  cessPaise: l.cessPaise,
})

const invoiceOf = (i: InvoiceRow): Omit<Gstr1Invoice, 'lines'> => ({
  id: i.id,
  number: i.number!,
  invoiceDate: i.invoiceDate,
  placeOfSupply: i.placeOfSupply,
  supply: i.supply as Supply,
  lut: i.lut,
  reverseCharge: i.reverseCharge,
  buyerName: i.buyerName,
  buyerGstin: i.buyerGstin,
  totalPaise: i.totalPaise,
})

function grouped<T>(rows: T[], key: (r: T) => number): Map<number, T[]> {
  const map = new Map<number, T[]>()
  for (const r of rows) map.set(key(r), [...(map.get(key(r)) ?? []), r])
  return map
}

export function gstr1Service({ db }: BillingContext) {
  return {
    /** This business's summary of `month` ("2026-10", India); another business's documents are never in it. */
    async gstr1(userId: number, month: string): Promise<Gstr1Summary> {
      const { from, to } = monthRange(month)
      const invoices = await db
        .select()
        .from(billingInvoices)
        .where(and(eq(billingInvoices.userId, userId), inArray(billingInvoices.status, ['issued', 'paid']), gte(billingInvoices.invoiceDate, from), lt(billingInvoices.invoiceDate, to)))
        .orderBy(asc(billingInvoices.invoiceDate), asc(billingInvoices.sequence))
      const notes = await db
        .select({ note: billingNotes, invoice: billingInvoices })
        .from(billingNotes)
        .innerJoin(billingInvoices, eq(billingInvoices.id, billingNotes.invoiceId))
        .where(and(eq(billingNotes.userId, userId), gte(billingNotes.noteDate, from), lt(billingNotes.noteDate, to), ne(billingInvoices.status, 'cancelled')))
        .orderBy(asc(billingNotes.noteDate), asc(billingNotes.id))
      const invoiceIds = invoices.map((i) => i.id)
      const noteIds = notes.map((n) => n.note.id)
      const invoiceLines = invoiceIds.length
        ? await db.select().from(billingInvoiceLines).where(inArray(billingInvoiceLines.invoiceId, invoiceIds)).orderBy(asc(billingInvoiceLines.invoiceId), asc(billingInvoiceLines.position))
        : []
      const noteLines = noteIds.length
        ? await db.select().from(billingNoteLines).where(inArray(billingNoteLines.noteId, noteIds)).orderBy(asc(billingNoteLines.noteId), asc(billingNoteLines.position))
        : []
      const linesOfInvoice = grouped(invoiceLines, (l) => l.invoiceId)
      const linesOfNote = grouped(noteLines, (l) => l.noteId)
      return gstr1Summary(
        month,
        invoices.map((i) => ({ ...invoiceOf(i), lines: (linesOfInvoice.get(i.id) ?? []).map(line) })),
        notes.map(({ note, invoice }) => ({
          id: note.id,
          number: note.number,
          noteDate: note.noteDate,
          kind: note.kind as 'credit' | 'debit',
          totalPaise: note.totalPaise,
          lines: (linesOfNote.get(note.id) ?? []).map(line),
          invoice: invoiceOf(invoice),
        })),
      )
    },
  }
}
