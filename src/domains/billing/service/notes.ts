/**
 * Credit and debit notes (Section 34) against an issued invoice: whole or part
 * of its lines, taxed as the invoice was (same place of supply, LUT, reverse
 * charge), numbered in their own series (CN, DN), and notified to the owner as
 * `invoice_created` with the note in the title (the protocol's kinds are closed).
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import { transact, type Tx } from '../../../db/transact.js'
import { conflict, hasErrors, invalid, notFound, type FieldErrors } from '../../../errors.js'
import type { NoteInput } from '../forms/payments-notes.js'
import { documentAmounts, lineAmountColumns } from '../documents.js'
import { computeInvoice, secondTaxName, type Supply, type TaxClass } from '../gst.js'
import { formatScaled } from '../money.js'
import { billingInvoiceLines, billingInvoices, billingNoteLines, billingNotes, type InvoiceRow, type NoteLineRow, type NoteRow } from '../schema.js'
import { ownInvoice, type BillingContext, type Conn } from './context.js'
import type { InvoiceNotices } from './notices.js'
import { numberFor } from './numbering.js'

export interface NoteView {
  note: NoteRow
  lines: NoteLineRow[]
}

/** A note as printed: with the invoice it is against (its parties, place of supply, tax mode). */
export interface NoteDocument extends NoteView {
  invoice: InvoiceRow
  title: 'Credit note' | 'Debit note'
  secondTax: 'SGST' | 'UTGST'
}

/** Quantities already credited, by invoice line. */
async function creditedByLine(conn: Conn, lineIds: number[]): Promise<Map<number, number>> {
  if (!lineIds.length) return new Map()
  const rows = await conn
    .select({ lineId: billingNoteLines.invoiceLineId, quantity: sql<number>`sum(${billingNoteLines.quantityMilli})` })
    .from(billingNoteLines)
    .innerJoin(billingNotes, eq(billingNotes.id, billingNoteLines.noteId))
    .where(and(inArray(billingNoteLines.invoiceLineId, lineIds), eq(billingNotes.kind, 'credit')))
    .groupBy(billingNoteLines.invoiceLineId)
  return new Map(rows.map((r) => [r.lineId, Number(r.quantity)]))
}

export function noteService({ db, bus, now, today }: BillingContext, notices: InvoiceNotices) {
  async function issueIn(tx: Tx, outbox: Parameters<InvoiceNotices['note']>[1], userId: number, invoiceId: number, input: NoteInput): Promise<NoteRow> {
    const invoice = await ownInvoice(tx, userId, invoiceId)
    if (invoice.status === 'draft') throw conflict('A draft has no number: change it instead.')
    if (invoice.status === 'cancelled') throw conflict(`Invoice ${invoice.number} is cancelled.`)
    const invoiceLines = await tx.select().from(billingInvoiceLines).where(eq(billingInvoiceLines.invoiceId, invoiceId)).orderBy(asc(billingInvoiceLines.position))
    const byId = new Map(invoiceLines.map((l) => [l.id, l]))
    const credited = await creditedByLine(
      tx,
      invoiceLines.map((l) => l.id),
    )
    const errors: FieldErrors = {}
    const date = input.noteDate ?? today()
    if (date < invoice.invoiceDate) errors.note_date = `The invoice is dated ${invoice.invoiceDate}: a note cannot be earlier.`
    const chosen = input.lines.flatMap((l) => {
      const line = byId.get(l.invoiceLineId)
      if (!line) {
        errors.lines = 'Choose lines of this invoice.'
        return []
      }
      const left = line.quantityMilli - (credited.get(line.id) ?? 0)
      if (input.kind === 'credit' && l.quantityMilli > left) {
        errors[`line_${line.id}`] = `At most ${formatScaled(left, 3)} ${line.unit} of this line is left to credit.`
        return []
      }
      return [{ line, quantityMilli: l.quantityMilli }]
    })
    if (!input.lines.length) errors.lines = 'Give a quantity for at least one line.'
    if (hasErrors(errors)) throw invalid(errors, { status: 422 })

    const inputs = chosen.map(({ line, quantityMilli }) => ({ ...line, quantityMilli, taxClass: line.taxClass as TaxClass }))
    const totals = computeInvoice(inputs, { supply: invoice.supply as Supply, lut: invoice.lut, reverseCharge: invoice.reverseCharge })
    const numbered = await numberFor(tx, userId, input.kind === 'credit' ? 'CN' : 'DN', date, today(), 'note_date')
    const note = (await tx
      .insert(billingNotes)
      .values({
        userId,
        invoiceId,
        kind: input.kind,
        ...numbered,
        noteDate: date,
        reason: input.reason,
        ...documentAmounts(totals),
        createdAt: now(),
      })
      .returning())[0]
    await tx.insert(billingNoteLines)
      .values(
        inputs.map((l, i) => {
          const a = totals.lines[i]!
          return {
            noteId: note.id,
            invoiceLineId: l.id,
            position: i + 1,
            description: l.description,
            hsn: l.hsn,
            unit: l.unit,
            quantityMilli: l.quantityMilli,
            unitPricePaise: l.unitPricePaise,
            discountBps: l.discountBps,
            rateBps: l.rateBps,
            taxClass: l.taxClass,
            cessBps: l.cessBps,
            ...lineAmountColumns(a),
          }
        }),
      )
    const signed = input.kind === 'credit' ? -note.totalPaise : note.totalPaise
    await tx.update(billingInvoices)
      .set({ adjustedPaise: sql`${billingInvoices.adjustedPaise} + ${signed}` })
      .where(eq(billingInvoices.id, invoiceId))
    await notices.note(tx, outbox, invoice, note)
    return note
  }

  return {
    /** Issues a credit or debit note against an issued invoice; bad input: 422 with field messages. */
    async issueNote(userId: number, invoiceId: number, input: NoteInput): Promise<NoteRow> {
      return transact(db, bus, async (tx, outbox) => issueIn(tx, outbox, userId, invoiceId, input))
    },

    /** The notes against an invoice, oldest first, with their lines. */
    async notesOf(userId: number, invoiceId: number): Promise<NoteView[]> {
      await ownInvoice(db, userId, invoiceId)
      const notes = await db.select().from(billingNotes).where(eq(billingNotes.invoiceId, invoiceId)).orderBy(asc(billingNotes.id))
      if (!notes.length) return []
      const lines = await db
        .select()
        .from(billingNoteLines)
        .where(
          inArray(
            billingNoteLines.noteId,
            notes.map((n) => n.id),
          ),
        )
        .orderBy(asc(billingNoteLines.noteId), asc(billingNoteLines.position))
      return notes.map((note) => ({ note, lines: lines.filter((l) => l.noteId === note.id) }))
    },

    /** One note of this business as printed; another business's note is not found. */
    async getNote(userId: number, noteId: number): Promise<NoteDocument> {
      const [row] = await db
        .select({ note: billingNotes, invoice: billingInvoices })
        .from(billingNotes)
        .innerJoin(billingInvoices, eq(billingInvoices.id, billingNotes.invoiceId))
        .where(and(eq(billingNotes.id, noteId), eq(billingNotes.userId, userId)))
      if (!row) throw notFound(`You have no note ${noteId}`)
      const lines = await db.select().from(billingNoteLines).where(eq(billingNoteLines.noteId, noteId)).orderBy(asc(billingNoteLines.position))
      return { ...row, lines, title: row.note.kind === 'credit' ? 'Credit note' : 'Debit note', secondTax: secondTaxName(row.invoice.placeOfSupply) }
    },
  }
}
