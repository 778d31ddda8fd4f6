/** A customer's ledger: invoices, notes and payments by date with the running balance, and its CSV. */
import t from 'tap'
import { bearer, Browser, buildTestApp, createUser } from '../helper.js'
import { draftOf, ist, seedBusiness } from './fixtures/seed.js'

t.test('ledger: debits, credits, running balance; cancelled and drafts left out; CSV', async (t) => {
  const clock = { ms: ist('2026-12-01T10:00') }
  const s = await buildTestApp({}, { now: () => clock.ms })
  t.teardown(() => s.close())
  const alice = await createUser(s.app)
  const bob = await createUser(s.app)
  const a = await seedBusiness(s.app, alice.id)
  const billing = s.app.billing
  // 1 Dec: 2 widgets = 1,000 + CGST 90 + SGST 90 = 1,180
  const first = await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id, qty: 2 }]), { issue: true })
  // 1 Dec: cancelled (not in the ledger) and a draft (neither)
  await billing.cancelInvoice(alice.id, (await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }]), { issue: true })).id, 'Duplicate')
  await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.widget.id }]), { issue: false })
  clock.ms = ist('2026-12-03T10:00')
  // 3 Dec: one widget returned, 500 + 45 + 45 = 590; payment of 300 by UPI
  const [line] = (await billing.getInvoice(alice.id, first.id)).lines
  await billing.issueNote(alice.id, first.id, { kind: 'credit', noteDate: null, reason: 'Returned', lines: [{ invoiceLineId: line!.id, quantityMilli: 1000 }] })
  await billing.recordPayment(alice.id, first.id, { paidOn: '2026-12-03', amountPaise: 300_00, mode: 'upi', reference: 'UTR, 77' })
  // 3 Dec: consulting 1 day = 1,000 + 25 + 25 = 1,050
  await billing.createInvoice(alice.id, draftOf(a.local.id, [{ productId: a.service.id }]), { issue: true })

  const { entries, balancePaise } = await billing.ledgerOf(alice.id, a.local.id)
  // 1,180 -> 1,180 + 1,050 = 2,230 -> - 590 = 1,640 -> - 300 = 1,340
  t.same(
    entries.map((e) => [e.date, e.kind, e.reference, e.debitPaise, e.creditPaise, e.balancePaise]),
    [
      ['2026-12-01', 'invoice', 'INV/26-27/00001', 1180_00, 0, 1180_00],
      ['2026-12-03', 'invoice', 'INV/26-27/00003', 1050_00, 0, 2230_00],
      ['2026-12-03', 'credit_note', 'CN/26-27/00001', 0, 590_00, 1640_00],
      ['2026-12-03', 'payment', 'upi UTR, 77', 0, 300_00, 1340_00],
    ],
  )
  t.equal(balancePaise, 1340_00)

  const br = await new Browser(s.app).login(alice.username, alice.password)
  let res = await br.get(`/billing/customers/${a.local.id}/ledger`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /id="ledger-balance">₹1,340\.00</)
  t.match(res.body, /CN\/26-27\/00001/)
  res = await br.get(`/billing/customers/${a.local.id}/ledger.csv`)
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8')
  t.equal(
    res.body,
    [
      'date,kind,reference,debit,credit,balance',
      '2026-12-01,invoice,INV/26-27/00001,1180.00,0.00,1180.00',
      '2026-12-03,invoice,INV/26-27/00003,1050.00,0.00,2230.00',
      '2026-12-03,credit_note,CN/26-27/00001,0.00,590.00,1640.00',
      '2026-12-03,payment,"upi UTR, 77",0.00,300.00,1340.00',
      '',
    ].join('\r\n'),
  )
  const api = await s.app.inject({ method: 'GET', url: `/api/billing/customers/${a.local.id}/ledger`, headers: bearer(alice) })
  t.match(api.json(), { balance_paise: 1340_00, entries: [{ kind: 'invoice', debit_paise: 1180_00, balance_paise: 1180_00 }, {}, { kind: 'credit_note' }, { kind: 'payment', credit_paise: 300_00 }] })
  t.equal((await s.app.inject({ method: 'GET', url: `/api/billing/customers/${a.local.id}/ledger`, headers: bearer(bob) })).statusCode, 404)
  const bobBrowser = await new Browser(s.app).login(bob.username, bob.password)
  t.equal((await bobBrowser.get(`/billing/customers/${a.local.id}/ledger`)).statusCode, 404)
  t.equal((await bobBrowser.get(`/billing/customers/${a.local.id}/ledger.csv`)).statusCode, 404)
})
