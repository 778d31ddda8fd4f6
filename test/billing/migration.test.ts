/**
 * Migration 0004 rebuilds billing_invoices, billing_products and the counters
 * (new CHECKs and primary key). On a database that already holds invoices, no
 * row is lost: dropping the old invoices table must not cascade to its lines.
 */
import Database from 'better-sqlite3'
import { drizzle } from 'drizzle-orm/better-sqlite3'
import { migrate } from 'drizzle-orm/better-sqlite3/migrator'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { MIGRATIONS_DIR, openDatabase } from '../../src/db/client.js'

t.test('0004 keeps every invoice, line and counter of an existing database', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'billing-migration-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  // The migrations as they were before 0004.
  const before = join(dir, 'migrations')
  cpSync(MIGRATIONS_DIR, before, { recursive: true })
  const journalPath = join(before, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> }
  journal.entries = journal.entries.filter((e) => e.tag < '0004')
  writeFileSync(journalPath, JSON.stringify(journal))

  const path = join(dir, 'app.db')
  const old = new Database(path)
  old.pragma('foreign_keys = ON')
  migrate(drizzle(old), { migrationsFolder: before })
  old.exec(`
    INSERT INTO users (id, username, password_hash) VALUES (1, 'alice', 'x');
    INSERT INTO billing_profiles (user_id, legal_name, gstin, state_code, address, updated_at) VALUES (1, 'Acme', '27AAPFU0939F1ZV', '27', 'Pune', 0);
    INSERT INTO billing_customers (id, user_id, name, state_code, created_at, updated_at) VALUES (1, 1, 'Buyer', '27', 0, 0);
    INSERT INTO billing_products (id, user_id, name, hsn, unit_price_paise, rate_bps, created_at, updated_at) VALUES (1, 1, 'Widget', '8471', 50000, 1800, 0, 0);
    INSERT INTO billing_invoice_counters (user_id, financial_year, last_number) VALUES (1, '2026-27', 1);
    INSERT INTO billing_invoices (id, user_id, status, number, financial_year, sequence, customer_id, invoice_date, due_date, place_of_supply, supply,
      seller_name, seller_gstin, seller_state_code, seller_address, buyer_name, buyer_state_code, buyer_address, buyer_email,
      taxable_paise, discount_paise, cgst_paise, sgst_paise, igst_paise, round_off_paise, total_paise, created_at)
      VALUES (1, 1, 'issued', 'INV/2026-27/0001', '2026-27', 1, 1, '2026-06-01', '2026-07-01', '27', 'intra',
      'Acme', '27AAPFU0939F1ZV', '27', 'Pune', 'Buyer', '27', '', '', 50000, 0, 4500, 4500, 0, 0, 59000, 0);
    INSERT INTO billing_invoice_lines (invoice_id, position, product_id, description, hsn, quantity_milli, unit_price_paise, discount_bps, rate_bps,
      discount_paise, taxable_paise, cgst_paise, sgst_paise, igst_paise, total_paise)
      VALUES (1, 1, 1, 'Widget', '8471', 1000, 50000, 0, 1800, 0, 50000, 4500, 4500, 0, 59000);
  `)
  old.close()

  const db = openDatabase(path)
  t.teardown(() => db.$client.close())
  const one = (q: string) => db.$client.prepare(q).get()
  t.match(one('SELECT number, status, total_paise, paid_paise, lut, cancel_reason FROM billing_invoices'), { number: 'INV/2026-27/0001', status: 'issued', total_paise: 59000, paid_paise: 0, lut: 0, cancel_reason: '' })
  t.equal(db.$client.prepare('SELECT count(*) FROM billing_invoice_lines').pluck().get(), 1, 'the line survived the rebuild of its invoice table')
  t.match(one('SELECT unit, tax_class, cess_bps FROM billing_invoice_lines'), { unit: 'NOS', tax_class: 'taxable', cess_bps: 0 })
  t.match(one('SELECT rate_bps, unit, tax_class FROM billing_products'), { rate_bps: 1800, unit: 'NOS', tax_class: 'taxable' })
  t.same(one('SELECT * FROM billing_invoice_counters'), { user_id: 1, series: 'INV', financial_year: '2026-27', last_number: 1 })
  t.equal(db.$client.pragma('foreign_keys', { simple: true }), 1, 'foreign keys are on again')
  t.throws(() => db.$client.exec("UPDATE billing_products SET rate_bps = 700"), /CHECK/, 'the rate check holds (7 % is no GST rate)')
  t.doesNotThrow(() => db.$client.exec("UPDATE billing_products SET rate_bps = 4000"), '40 % is')
})
