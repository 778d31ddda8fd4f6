/**
 * A credit or debit note's printed page and its PDF (the same content), and the
 * ₹ sign in PDFs: the embedded DejaVu font has the glyph and comes from
 * node_modules. Figures worked by hand in the comments.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import t from 'tap'
import { Browser, buildTestApp, createUser } from '../helper.js'
import { fontPath } from '../../src/domains/billing/pdf/kit.js'
import { pdfText } from './fixtures/pdf-text.js'
import { draftOf, ist, seedBusiness } from './fixtures/seed.js'

const fontkit = createRequire(import.meta.url)('fontkit') as { create(data: Buffer): { hasGlyphForCodePoint(c: number): boolean; familyName: string } }

t.test('the fonts the PDFs embed have the rupee sign (U+20B9) and come from node_modules', async (t) => {
  for (const file of ['DejaVuSansCondensed.ttf', 'DejaVuSansCondensed-Bold.ttf', 'DejaVuSansCondensed-Oblique.ttf', 'DejaVuSansMono-Bold.ttf']) {
    const path = fontPath(file)
    t.match(path, /node_modules\/dejavu-fonts-ttf\/ttf\//)
    const font = fontkit.create(readFileSync(path))
    t.ok(font.hasGlyphForCodePoint(0x20b9), `${file} has ₹`)
  }
})

t.test("a note's page and PDF: Rule 53 contents, ₹ amounts, the owner only", async (t) => {
  const s = await buildTestApp({}, { now: () => ist('2026-12-05T10:00') })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const billing = s.app.billing
  // Karnataka buyer, inter-state: 3 widgets less 10 % = 1,500 - 150 = 1,350 + IGST 18 % 243 = 1,593
  const invoice = await billing.createInvoice(alice.id, draftOf(a.remote.id, [{ productId: a.widget.id, qty: 3, discountBps: 1000 }]), { issue: true })
  t.equal(invoice.totalPaise, 1593_00)
  const line = (await billing.getInvoice(alice.id, invoice.id)).lines[0]!
  // 1 widget back at the invoice's price and discount: 500 - 50 = 450 + IGST 81 = 531
  const note = await billing.issueNote(alice.id, invoice.id, { kind: 'credit', noteDate: '2026-12-05', reason: 'One widget returned damaged', lines: [{ invoiceLineId: line.id, quantityMilli: 1000 }] })
  t.match(note, { number: 'CN/26-27/00001', taxablePaise: 450_00, igstPaise: 81_00, totalPaise: 531_00 })

  const br = await new Browser(s.app).login(alice.username, alice.password)
  let res = await br.get(`/billing/notes/${note.id}`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h1 class="document-title">Credit note<\/h1>/)
  t.match(res.body, /<p class="invoice-number mono">CN\/26-27\/00001<\/p>/)
  t.match(res.body, new RegExp(`<dt>Against invoice</dt><dd><a class="mono" href="/billing/invoices/${invoice.id}">INV/26-27/00001</a> dated 2026-12-05</dd>`))
  t.match(res.body, /<dd id="note-reason">One widget returned damaged<\/dd>/)
  t.match(res.body, /<td class="num">500\.00<\/td><td class="num">10 %<\/td><td class="num">450\.00<\/td>\s*<td class="num">18 %<\/td>\s*<td class="num">81\.00<\/td>/)
  t.match(res.body, /id="note-total">₹531\.00</)
  t.match(res.body, /id="note-words">Rupees Five Hundred Thirty-One Only</)
  t.match(res.body, /Authorised signatory: Priya Shah, Partner/)
  t.match(res.body, new RegExp(`href="/billing/notes/${note.id}/pdf"`))
  // the invoice page links to it
  t.match((await br.get(`/billing/invoices/${invoice.id}`)).body, new RegExp(`<a class="mono" href="/billing/notes/${note.id}">CN/26-27/00001</a>`))

  res = await br.get(`/billing/notes/${note.id}/pdf`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['content-type'], 'application/pdf')
  t.equal(res.headers['content-disposition'], 'attachment; filename="CN-26-27-00001.pdf"')
  const pdf = res.rawPayload.toString('latin1')
  t.equal((pdf.match(/\/Type \/Page\b/g) ?? []).length, 1, 'one page')
  t.match(pdf, /\/FontFile2 /, 'a TrueType font is embedded')
  t.match(pdf, /\/BaseFont \/[A-Z]{6}\+DejaVuSansCondensed/, 'DejaVu Sans Condensed, subset')
  t.notMatch(pdf, /\/BaseFont \/Helvetica/, 'no standard font left')
  const text = pdfText(res.rawPayload)
  for (const wanted of [
    'Credit note',
    'CN/26-27/00001',
    'Against invoice INV/26-27/00001 dated 2026-12-05',
    'Reason: One widget returned damaged',
    'GSTIN 29AABCR5678K1Z',
    'IGST ₹',
    '10 %',
    '450.00',
    '81.00',
    '₹531.00',
    'Rupees Five Hundred Thirty-One Only',
    'Authorised signatory: Priya Shah, Partner',
  ]) {
    t.ok(text.includes(wanted), `the PDF says ${wanted}`)
  }
  t.notOk(text.includes('Rs.'), 'no "Rs." left')

  // a debit note prints as one; bob gets 404 for both of alice's
  const debit = await billing.issueNote(alice.id, invoice.id, { kind: 'debit', noteDate: null, reason: 'Freight', lines: [{ invoiceLineId: line.id, quantityMilli: 1000 }] })
  t.match((await br.get(`/billing/notes/${debit.id}`)).body, /<h1 class="document-title">Debit note<\/h1>/)
  t.ok(pdfText((await br.get(`/billing/notes/${debit.id}/pdf`)).rawPayload).includes('Debit note'))
  const other = await new Browser(s.app).login(bob.username, bob.password)
  for (const path of [`/billing/notes/${note.id}`, `/billing/notes/${note.id}/pdf`, `/billing/notes/${debit.id}/pdf`]) t.equal((await other.get(path)).statusCode, 404, `${path}: not bob's`)
})
