/**
 * Credit and debit notes against an issued invoice: own series, reason, whole or
 * part lines, tax reversed at the invoice's rates, the balance follows, the owner
 * is notified (as invoice_created, the protocol's closed list of kinds) and nobody else.
 */
import t from 'tap'
import { bearer, Browser, buildTestApp, connectReady, createUser } from '../helper.js'
import { draftOf, ist, seedBusiness } from './fixtures/seed.js'

t.test('credit and debit notes: numbers, tax reversed, balance, notifications', async (t) => {
  const s = await buildTestApp({}, { now: () => ist('2026-12-05T10:00') })
  t.teardown(() => s.close())
  const url = await s.listen()
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const billing = s.app.billing
  const ac = await connectReady(url, { token: alice.token })
  const bc = await connectReady(url, { token: bob.token })
  t.teardown(async () => {
    await ac.client.close()
    await bc.client.close()
  })
  const br = await new Browser(s.app).login(alice.username, alice.password)

  // Intra-state (27): 4 widgets x ₹500 = 2,000 + CGST 9 % 180 + SGST 9 % 180 = 2,360
  //                   2 consulting x ₹1,000 = 2,000 + CGST 2.5 % 50 + SGST 50 = 2,100; total 4,460
  const invoice = await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id, qty: 4 }, { productId: a.service.id, qty: 2 }]), { issue: true })
  t.equal(invoice.totalPaise, 4460_00)
  const [widgetLine, serviceLine] = (await billing.getInvoice(alice.id, invoice.id)).lines
  await ac.client.next('notification')

  let res = await br.post(`/billing/invoices/${invoice.id}/notes`, { kind: 'credit', reason: '', line_id: String(widgetLine!.id), quantity: '1' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /A reason is required/)

  const aliceMark = ac.client.mark()
  const bobMark = bc.client.mark()
  // one widget returned: 500 + 45 + 45 = 590
  res = await br.post(`/billing/invoices/${invoice.id}/notes`, { kind: 'credit', note_date: '', reason: 'One widget returned damaged', line_id: String(widgetLine!.id), quantity: '1' })
  t.equal(res.statusCode, 303)
  let notes = await billing.notesOf(alice.id, invoice.id)
  t.match(notes[0]!.note, { kind: 'credit', number: 'CN/26-27/00001', noteDate: '2026-12-05', taxablePaise: 500_00, cgstPaise: 45_00, sgstPaise: 45_00, totalPaise: 590_00 })
  t.match(await billing.getInvoice(alice.id, invoice.id), { balancePaise: 3870_00 }, '4,460 - 590')
  const pushed = await ac.client.since(aliceMark, 150, 'notification', 1)
  t.equal(pushed.length, 1)
  t.match(pushed[0]!.notification, {
    kind: 'invoice_created',
    title: 'Credit note CN/26-27/00001 issued',
    message: `₹590.00 against invoice ${invoice.number} to Local Buyer: One widget returned damaged`,
    link_url: `/billing/invoices/${invoice.id}`,
  })
  t.same(await bc.client.since(bobMark, 50), [], 'bob got nothing')

  // only 3 widgets are left to credit
  await t.rejects(async () => billing.issueNote(alice.id, invoice.id, { kind: 'credit', noteDate: null, reason: 'x', lines: [{ invoiceLineId: widgetLine!.id, quantityMilli: 4000 }] }), /line_\d+: At most 3 NOS/)
  // bob cannot write notes on alice's invoice
  await t.rejects(async () => billing.issueNote(bob.id, invoice.id, { kind: 'credit', noteDate: null, reason: 'x', lines: [{ invoiceLineId: widgetLine!.id, quantityMilli: 1000 }] }), /You have no invoice/)

  // a debit note: one more consulting day, 1,000 + 25 + 25 = 1,050, in its own series
  const debit = await billing.issueNote(alice.id, invoice.id, { kind: 'debit', noteDate: null, reason: 'An extra consulting day', lines: [{ invoiceLineId: serviceLine!.id, quantityMilli: 1000 }] })
  t.match(debit, { number: 'DN/26-27/00001', totalPaise: 1050_00 })
  t.equal((await billing.getInvoice(alice.id, invoice.id)).balancePaise, 4920_00, '3,870 + 1,050')
  // the rest credited in full: 3 widgets 1,770 + 2 consulting 2,100 = 3,870
  const rest = await billing.issueNote(alice.id, invoice.id, {
    kind: 'credit',
    noteDate: '2026-12-05',
    reason: 'Order reduced',
    lines: [
      { invoiceLineId: widgetLine!.id, quantityMilli: 3000 },
      { invoiceLineId: serviceLine!.id, quantityMilli: 2000 },
    ],
  })
  t.match(rest, { number: 'CN/26-27/00002', taxablePaise: 3500_00, cgstPaise: 185_00, sgstPaise: 185_00, totalPaise: 3870_00 })
  t.equal((await billing.getInvoice(alice.id, invoice.id)).balancePaise, 1050_00, '4,920 - 3,870')
  await t.rejects(async () => billing.issueNote(alice.id, invoice.id, { kind: 'credit', noteDate: null, reason: 'x', lines: [{ invoiceLineId: widgetLine!.id, quantityMilli: 1 }] }), /At most 0 NOS/)

  // cancelling is for invoices without notes; paying the balance settles it
  await t.rejects(async () => billing.cancelInvoice(alice.id, invoice.id, 'mistake'), /credit or debit notes/)
  const beforePaid = ac.client.mark()
  await billing.recordPayment(alice.id, invoice.id, { paidOn: '2026-12-05', amountPaise: 1050_00, mode: 'bank', reference: '' })
  t.match(await billing.getInvoice(alice.id, invoice.id), { status: 'paid', balancePaise: 0 })
  // (the two notes' notifications may still be arriving: look for the paid one)
  await ac.client.next((f) => f.type === 'notification' && f.notification.kind === 'invoice_paid', 5000)
  const paid = (await ac.client.since(beforePaid, 150, 'notification')).filter((f) => f.notification.kind === 'invoice_paid')
  t.equal(paid.length, 1, 'invoice_paid once')

  res = await br.get(`/billing/invoices/${invoice.id}`)
  t.match(res.body, /<th scope="row"><a class="mono" href="\/billing\/notes\/\d+">CN\/26-27\/00001<\/a>/)
  t.match(res.body, /<th scope="row"><a class="mono" href="\/billing\/notes\/\d+">DN\/26-27\/00001<\/a>/)
  t.match(res.body, /Credit and debit notes<\/th><td class="num">−₹3,410\.00/, '-590 + 1,050 - 3,870 = -3,410')
  notes = await billing.notesOf(alice.id, invoice.id)
  t.equal(notes.length, 3)
})

t.test('inter-state notes reverse IGST; drafts and cancelled invoices take none', async (t) => {
  const s = await buildTestApp({}, { now: () => ist('2026-12-05T10:00') })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const billing = s.app.billing
  // to Karnataka: 3 x ₹1,000 at 5 % = 3,000 + IGST 150 = 3,150
  const invoice = await billing.createInvoice(alice.id, draftOf(a.remote.id, [{ productId: a.service.id, qty: 3 }]), { issue: true })
  const [line] = (await billing.getInvoice(alice.id, invoice.id)).lines
  // 1.5 days credited: 1,500 + IGST 75 = 1,575
  t.match(await billing.issueNote(alice.id, invoice.id, { kind: 'credit', noteDate: null, reason: 'Half the work', lines: [{ invoiceLineId: line!.id, quantityMilli: 1500 }] }), {
    taxablePaise: 1500_00,
    igstPaise: 75_00,
    cgstPaise: 0,
    totalPaise: 1575_00,
  })
  await t.rejects(async () => billing.issueNote(alice.id, invoice.id, { kind: 'credit', noteDate: '2026-12-04', reason: 'x', lines: [{ invoiceLineId: line!.id, quantityMilli: 1 }] }), /note_date: The invoice is dated 2026-12-05/)
  // through the API: bad input gets field messages; a good note answers 201
  let res = await s.app.inject({ method: 'POST', url: `/api/billing/invoices/${invoice.id}/notes`, headers: bearer(alice), payload: { kind: 'refund', reason: '', lines: [{ line_id: line!.id, quantity: '0' }] } })
  t.equal(res.statusCode, 422)
  t.match(res.json().fields, { kind: /credit note or a debit note/, reason: /required/, [`line_${line!.id}`]: /above 0/ })
  // 0.5 day more: 500 + IGST 25 = 525
  res = await s.app.inject({ method: 'POST', url: `/api/billing/invoices/${invoice.id}/notes`, headers: bearer(alice), payload: { kind: 'debit', reason: 'Extra half day', lines: [{ line_id: line!.id, quantity: '0.5' }] } })
  t.equal(res.statusCode, 201)
  t.match(res.json().note, { number: 'DN/26-27/00001', igst_paise: 25_00, total_paise: 525_00 })
  t.equal((await billing.getInvoice(alice.id, invoice.id)).balancePaise, 3150_00 - 1575_00 + 525_00, '2,100')

  const draft = await billing.createInvoice(alice.id, draftOf(a.remote.id, [{ productId: a.service.id }]), { issue: false })
  await t.rejects(async () => billing.issueNote(alice.id, draft.id, { kind: 'debit', noteDate: null, reason: 'x', lines: [] }), /draft/)
  const other = await billing.createInvoice(alice.id, draftOf(a.remote.id, [{ productId: a.service.id }]), { issue: true })
  await billing.cancelInvoice(alice.id, other.id, 'Wrong buyer')
  await t.rejects(async () => billing.issueNote(alice.id, other.id, { kind: 'credit', noteDate: null, reason: 'x', lines: [] }), /cancelled/)
})
