/** The /friends pages: search, requests and friends, with htmx answers that swap the panel. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { DomainError } from '../../../errors.js'
import { currentUser, isHtmx, renderPage } from '../../../web/http.js'
import { RequestParams, SearchQuery, UserParams, ViewQuery } from './schemas.js'

export const friendsPages: FastifyPluginAsyncTypebox = async (app) => {
  const social = app.social
  const partial = (name: string, data: object) => app.realtime.content.partial(name, data)

  async function friendsPage(request: FastifyRequest, reply: FastifyReply, q?: string, notice?: string) {
    const userId = currentUser(request).id
    return renderPage(request, reply, 'social/friends', { q: q ?? '', people: await social.searchPeople(userId, q), ...await social.friendsOverview(userId), notice })
  }

  /**
   * The answer to a friends action: for htmx the panel (or one person's row,
   * `view=person`) and the badge; otherwise a redirect, or the page with the refusal.
   */
  async function friendsAnswer(request: FastifyRequest, reply: FastifyReply, view: { person?: number }, action: () => unknown) {
    const userId = currentUser(request).id
    let notice: string | undefined
    try {
      await action()
    } catch (err) {
      if (!(err instanceof DomainError)) throw err
      if (!isHtmx(request)) return friendsPage(request, reply.status(err.statusCode), undefined, err.message)
      notice = err.message
    }
    if (!isHtmx(request)) return reply.redirect('/friends', 303)
    const csrfToken = reply.generateCsrf()
    const badge = partial('social/requests-badge', { count: await social.pendingRequestCount(userId), oob: true })
    const overview = await social.friendsOverview(userId)
    reply.type('text/html')
    const person = view.person === undefined ? undefined : await social.lookupPerson(userId, view.person)
    if (person) {
      return (
        partial('social/person', { ...person, csrfToken, notice }) +
        partial('social/friends-panel', { ...overview, oob: true, csrfToken }) +
        badge
      )
    }
    return partial('social/friends-panel', { ...overview, csrfToken, notice }) + badge
  }

  const personView = (query: { view?: string }, otherId: number | undefined) => (query.view === 'person' ? { person: otherId } : {})

  app.get('/friends', { schema: { querystring: SearchQuery } }, async (request, reply) => friendsPage(request, reply, request.query.q))

  app.get('/friends/search', { schema: { querystring: SearchQuery } }, async (request, reply) => {
    if (!isHtmx(request)) return reply.redirect(`/friends?q=${encodeURIComponent(request.query.q ?? '')}`)
    const people = await social.searchPeople(currentUser(request).id, request.query.q)
    reply.type('text/html')
    return partial('social/search-results', { q: request.query.q ?? '', people, csrfToken: reply.generateCsrf() })
  })

  app.post('/friends/request/:user_id', { schema: { params: UserParams, querystring: ViewQuery } }, async (request, reply) =>
    friendsAnswer(request, reply, personView(request.query, request.params.user_id), async () =>
      social.sendFriendRequest(currentUser(request).id, request.params.user_id),
    ),
  )

  app.post('/friends/accept/:request_id', { schema: { params: RequestParams, querystring: ViewQuery } }, async (request, reply) =>
    friendsAnswer(request, reply, personView(request.query, request.query.user_id), async () =>
      social.acceptFriendRequest(currentUser(request).id, request.params.request_id),
    ),
  )

  app.post('/friends/decline/:request_id', { schema: { params: RequestParams, querystring: ViewQuery } }, async (request, reply) =>
    friendsAnswer(request, reply, {}, async () => social.declineFriendRequest(currentUser(request).id, request.params.request_id)),
  )

  app.post('/friends/cancel/:request_id', { schema: { params: RequestParams, querystring: ViewQuery } }, async (request, reply) =>
    friendsAnswer(request, reply, {}, async () => social.cancelFriendRequest(currentUser(request).id, request.params.request_id)),
  )

  app.post('/friends/remove/:user_id', { schema: { params: UserParams, querystring: ViewQuery } }, async (request, reply) =>
    friendsAnswer(request, reply, {}, async () => social.unfriend(currentUser(request).id, request.params.user_id)),
  )
}
