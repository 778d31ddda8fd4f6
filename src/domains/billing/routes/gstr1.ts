/** The monthly GSTR-1-style summary: the page (default: last month in India) and one CSV per table. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { invalid } from '../../../errors.js'
import { currentUser } from '../../../web/http.js'
import { isMonth, monthLabel, previousMonth } from '../calendar.js'
import { GSTR1_TABLES, gstr1Csv, type Gstr1Table } from '../gstr1/csv.js'
import { page } from './render.js'
import { Text } from './schemas.js'

const MonthQuery = Type.Object({ month: Text(20) })
const CsvParams = Type.Object({ file: Type.String({ pattern: `^(${GSTR1_TABLES.join('|')})\\.csv$` }) })

export const gstr1Routes: FastifyPluginAsyncTypebox = async (app) => {
  const billing = app.billing

  app.get('/billing/gstr1', { schema: { querystring: MonthQuery } }, async (request, reply) => {
    const userId = currentUser(request).id
    const asked = (request.query.month ?? '').trim()
    const wrong = asked !== '' && !isMonth(asked)
    const month = asked && !wrong ? asked : previousMonth(billing.today())
    const summary = await billing.gstr1(userId, month)
    const errors = wrong ? { month: 'A month like 2026-10.' } : {}
    return page(request, reply, 'billing/gstr1', { summary, month, monthName: monthLabel(month), asked, errors, tables: GSTR1_TABLES }, wrong ? 422 : 200)
  })

  app.get('/billing/gstr1/:file', { schema: { params: CsvParams, querystring: MonthQuery } }, async (request, reply) => {
    const asked = (request.query.month ?? '').trim()
    if (asked && !isMonth(asked)) throw invalid({ month: 'A month like 2026-10.' })
    const month = asked || previousMonth(billing.today())
    const table = request.params.file.slice(0, -'.csv'.length) as Gstr1Table
    const summary = await billing.gstr1(currentUser(request).id, month)
    reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="gstr1-${month}-${table}.csv"`)
    return gstr1Csv(summary, table)
  })
}
