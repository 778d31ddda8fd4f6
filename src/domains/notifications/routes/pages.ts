/** The signed-in user's inbox page (tabs, counts, paging both ways) and "Mark all read" / "Done for all read". */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type, { type Static } from 'typebox'
import type { Counts } from '../../../protocol.js'
import { currentUser, isHtmx, renderPage, requireUser, wantsJson } from '../../../web/http.js'
import { CountsBody, ErrorBody } from '../../../web/schemas.js'
import { emptyState, liveCategories, sameView, TABS, viewOf, viewPath, type InboxView } from '../inbox-views.js'
import { PAGE_SIZE } from './api.js'
import { ListQuery, ViewForm } from './wire.js'

const pageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { notifications } = app
  app.addHook('preHandler', requireUser)

  async function listPage(request: FastifyRequest, reply: FastifyReply, view: InboxView, paging: { before?: number; after?: number } = {}) {
    const user = currentUser(request)
    const items = await notifications.list(user.id, { ...view, limit: PAGE_SIZE + 1, ...paging })
    // Paging up (after=) answers the oldest rows above `after`: the extra one is the newest.
    const more = items.length > PAGE_SIZE
    const page = paging.after ? items.slice(more ? 1 : 0) : items.slice(0, PAGE_SIZE)
    const first = page[0]?.id
    const last = page[page.length - 1]?.id
    const hasNewer = paging.after ? more : Boolean(paging.before && first && (await notifications.list(user.id, { ...view, limit: 1, after: first })).length)
    const hasOlder = paging.after ? Boolean(last && (await notifications.list(user.id, { ...view, limit: 1, before: last })).length) : more
    const counts = await notifications.counts(user.id)
    const byCategory = await notifications.unreadByCategory(user.id)
    const tabs = TABS.map((tab) => ({
      label: tab.label,
      href: viewPath(tab.view),
      current: sameView(tab.view, view),
      counted: tab.counted,
      count: tab.counted === null ? null : tab.counted === 'all' ? counts.unread_count : byCategory[tab.counted],
    }))
    return renderPage(request, reply, 'notifications/index', {
      items: page,
      tabs,
      view,
      viewTitle: tabs.find((t) => t.current)?.label ?? 'Notifications',
      // New rows are pushed into the top of the first page only.
      live: hasNewer ? '' : liveCategories(view).join(' '),
      newer: hasNewer && first ? viewPath(view, { after: first }) : null,
      older: hasOlder && last ? viewPath(view, { before: last }) : null,
      empty: emptyState(view),
      unread: view.status === 'unread',
      inboxPage: true,
    })
  }

  app.get('/notifications', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const { before, after } = request.query
    return listPage(request, reply, viewOf(request.query), after ? { after } : { before })
  })

  // Both answer the counts to the page's script (public/inbox.js), the re-rendered section to htmx,
  // and a redirect back to the view to a form.
  const bulk = { schema: { body: Type.Optional(ViewForm), response: { 200: CountsBody, '4xx': ErrorBody } } }
  async function afterBulk(request: FastifyRequest, reply: FastifyReply, counts: Counts) {
    const view = viewOf((request.body ?? {}) as Static<typeof ViewForm>)
    if (wantsJson(request)) return counts
    return isHtmx(request) ? listPage(request, reply, view) : reply.redirect(viewPath(view), 303)
  }
  app.post('/notifications/read-all', bulk, async (request, reply) =>
    afterBulk(request, reply, await notifications.markAllRead(currentUser(request).id)),
  )
  app.post('/notifications/archive-read', bulk, async (request, reply) =>
    afterBulk(request, reply, await notifications.archiveAllRead(currentUser(request).id)),
  )
}

export default pageRoutes
