/** TypeBox schemas of the billing forms and JSON answers. */
import Type from 'typebox'
import { INVOICE_STATUSES } from '../service/index.js'

/** A form field as typed: parsed and checked by forms/*.ts, which gives field messages. */
export const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }))
export const Column = Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 200 }))

export const SearchQuery = Type.Object({ q: Text(200) })
export const InvoiceListQuery = Type.Object({
  q: Text(200),
  status: Type.Optional(Type.Union([...INVOICE_STATUSES.map((s) => Type.Literal(s)), Type.Literal('')])),
})

/** The invoice form: one entry per line in each column. */
export const InvoiceFormBody = Type.Object({
  customer_id: Text(20),
  place_of_supply: Text(4),
  due_date: Text(20),
  invoice_date: Text(20),
  reverse_charge: Text(10),
  lut: Text(10),
  ship_to_address: Text(2000),
  notes: Text(4000),
  product_id: Column,
  quantity: Column,
  unit_price: Column,
  discount: Column,
  action: Text(10),
  add: Text(4),
  remove: Text(6),
})
