/**
 * GST billing tables. Every row belongs to one user (the business); money is
 * integer paise, rates basis points, quantities thousandths (see gst.ts).
 */
export * from './schema/parties.js'
export * from './schema/invoices.js'
export * from './schema/notes.js'
