/** The friends JSON API: /api/friends... */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { currentUser } from '../../../web/http.js'
import { ErrorBody } from '../../../web/schemas.js'
import { Friend, Ok, PublicUser, RequestParams, SearchQuery, UserParams } from './schemas.js'

const FriendsBody = Type.Object({
  friends: Type.Array(Friend),
  incoming: Type.Array(Type.Object({ request_id: Type.Integer(), from_user: PublicUser, created_at: Type.String() })),
  outgoing: Type.Array(Type.Object({ request_id: Type.Integer(), to_user: PublicUser, created_at: Type.String() })),
})
const SearchBody = Type.Object({
  users: Type.Array(Type.Object({ ...PublicUser.properties, relationship: Type.String() })),
})
const RequestedBody = Type.Object({ request_id: Type.Integer() })
/** A request to someone who had asked you first: theirs is accepted. */
const AcceptedInsteadBody = Type.Object({ request_id: Type.Integer(), accepted: Type.Literal(true), friend: PublicUser })
const AcceptedBody = Type.Object({ friend: PublicUser })

export const friendsApi: FastifyPluginAsyncTypebox = async (app) => {
  const social = app.social

  app.get('/api/friends', { schema: { response: { 200: FriendsBody, '4xx': ErrorBody } } }, async (request) => {
    const { friends, incoming, outgoing } = await social.friendsOverview(currentUser(request).id)
    return {
      friends,
      incoming: incoming.map((r) => ({ request_id: r.request_id, from_user: r.user, created_at: r.created_at })),
      outgoing: outgoing.map((r) => ({ request_id: r.request_id, to_user: r.user, created_at: r.created_at })),
    }
  })

  app.get(
    '/api/friends/search',
    { schema: { querystring: SearchQuery, response: { 200: SearchBody, '4xx': ErrorBody } } },
    async (request) => ({
      users: (await social.searchPeople(currentUser(request).id, request.query.q)).map((p) => ({ ...p.person, relationship: p.relationship.kind })),
    }),
  )

  app.post(
    '/api/friends/request/:user_id',
    { schema: { params: UserParams, response: { 201: RequestedBody, 200: AcceptedInsteadBody, '4xx': ErrorBody } } },
    async (request, reply) => {
      const sent = await social.sendFriendRequest(currentUser(request).id, request.params.user_id)
      if (sent.accepted) return reply.status(200).send({ request_id: sent.requestId, accepted: true, friend: sent.friend })
      return reply.status(201).send({ request_id: sent.requestId })
    },
  )

  app.post(
    '/api/friends/accept/:request_id',
    { schema: { params: RequestParams, response: { 200: AcceptedBody, '4xx': ErrorBody } } },
    async (request) => ({ friend: await social.acceptFriendRequest(currentUser(request).id, request.params.request_id) }),
  )

  // Declining (the receiver) and cancelling (the sender) end a pending request.
  const endings = { decline: social.declineFriendRequest, cancel: social.cancelFriendRequest }
  for (const [action, end] of Object.entries(endings)) {
    app.post(
      `/api/friends/${action}/:request_id`,
      { schema: { params: RequestParams, response: { 200: Ok, '4xx': ErrorBody } } },
      async (request) => {
        await end(currentUser(request).id, request.params.request_id)
        return { ok: true as const }
      },
    )
  }

  // A friend_request notification's actions name the sender, not the request (its thread is `user:<id>`).
  app.post(
    '/api/friends/accept-from/:user_id',
    { schema: { params: UserParams, response: { 200: AcceptedBody, '4xx': ErrorBody } } },
    async (request) => ({ friend: await social.answerFriendRequestFrom(currentUser(request).id, request.params.user_id, 'accept') }),
  )
  app.post(
    '/api/friends/decline-from/:user_id',
    { schema: { params: UserParams, response: { 200: Ok, '4xx': ErrorBody } } },
    async (request) => {
      await social.answerFriendRequestFrom(currentUser(request).id, request.params.user_id, 'decline')
      return { ok: true as const }
    },
  )

  app.delete(
    '/api/friends/:user_id',
    { schema: { params: UserParams, response: { 200: Ok, '4xx': ErrorBody } } },
    async (request) => {
      await social.unfriend(currentUser(request).id, request.params.user_id)
      return { ok: true as const }
    },
  )
}
