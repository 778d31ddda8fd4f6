/** The blog's JSON API (/api/blog): reading is public, writing needs a login. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Type from 'typebox'
import { currentUser, requireUser } from '../../../web/http.js'
import { ErrorBody, Id, IdParams } from '../../../web/schemas.js'
import { withHtml } from '../content.js'

const Author = Type.Object({ id: Type.Integer(), username: Type.String() })
const Post = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  body: Type.String({ description: 'Markdown source' }),
  body_html: Type.String(),
  author: Author,
  created_at: Type.String(),
  updated_at: Type.String(),
  comment_count: Type.Integer(),
  like_count: Type.Integer(),
})
const Comment = Type.Object({ id: Type.Integer(), post_id: Type.Integer(), body: Type.String(), author: Author, created_at: Type.String() })

export const ListQuery = Type.Object({
  before: Type.Optional(Id),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
})
// Lengths are checked by the service (messages next to the fields); these caps only
// stop absurd payloads.
export const PostBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 10_000 })),
  body: Type.Optional(Type.String({ maxLength: 100_000 })),
})
export const CommentBody = Type.Object({ body: Type.Optional(Type.String({ maxLength: 20_000 })) })

const PostAnswer = Type.Object({ post: Post })
const LikeAnswer = Type.Object({ liked: Type.Boolean(), like_count: Type.Integer() })
const answers = <T extends object>(ok: T) => ({ ...ok, '4xx': ErrorBody })

export const PAGE_SIZE = 10

export const blogApi: FastifyPluginAsyncTypebox = async (app) => {
  const { blog } = app

  app.get(
    '/api/blog/posts',
    { schema: { querystring: ListQuery, response: answers({ 200: Type.Object({ posts: Type.Array(Post), next_before: Type.Union([Id, Type.Null()]) }) }) } },
    async (request) => {
      const { posts, nextBefore } = await blog.listPosts({ before: request.query.before, limit: request.query.limit ?? PAGE_SIZE })
      return { posts: posts.map(withHtml), next_before: nextBefore }
    },
  )

  app.get(
    '/api/blog/posts/:id',
    { schema: { params: IdParams, response: answers({ 200: Type.Object({ post: Post, comments: Type.Array(Comment), liked: Type.Boolean() }) }) } },
    async (request) => {
      const post = await blog.getPost(request.params.id)
      const viewer = request.principal?.user.id
      return {
        post: withHtml(post),
        comments: await blog.listComments(post.id),
        liked: viewer === undefined ? false : await blog.likedBy(viewer, post.id),
      }
    },
  )

  await app.register(blogApiWrites)
}

const blogApiWrites: FastifyPluginAsyncTypebox = async (app) => {
  const { blog } = app
  app.addHook('preHandler', requireUser)

  app.post('/api/blog/posts', { schema: { body: PostBody, response: answers({ 201: PostAnswer }) } }, async (request, reply) => {
    return reply.status(201).send({ post: withHtml(await blog.createPost(currentUser(request).id, request.body)) })
  })

  app.patch('/api/blog/posts/:id', { schema: { params: IdParams, body: PostBody, response: answers({ 200: PostAnswer }) } }, async (request) => {
    return { post: withHtml(await blog.updatePost(currentUser(request).id, request.params.id, request.body)) }
  })

  app.delete(
    '/api/blog/posts/:id',
    { schema: { params: IdParams, response: answers({ 200: Type.Object({ deleted: Type.Boolean() }) }) } },
    async (request) => {
      await blog.deletePost(currentUser(request).id, request.params.id)
      return { deleted: true }
    },
  )

  app.post(
    '/api/blog/posts/:id/comments',
    { schema: { params: IdParams, body: CommentBody, response: answers({ 201: Type.Object({ comment: Comment, comment_count: Type.Integer() }) }) } },
    async (request, reply) => {
      const { comment, commentCount } = await blog.addComment(currentUser(request).id, request.params.id, request.body)
      return reply.status(201).send({ comment, comment_count: commentCount })
    },
  )

  app.delete(
    '/api/blog/comments/:id',
    { schema: { params: IdParams, response: answers({ 200: Type.Object({ deleted: Type.Boolean(), post_id: Id, comment_count: Type.Integer() }) }) } },
    async (request) => {
      const { postId, commentCount } = await blog.deleteComment(currentUser(request).id, request.params.id)
      return { deleted: true, post_id: postId, comment_count: commentCount }
    },
  )

  for (const [method, liked] of [['PUT', true], ['DELETE', false]] as const) {
    app.route({
      method,
      url: '/api/blog/posts/:id/like',
      schema: { params: IdParams, response: answers({ 200: LikeAnswer }) },
      handler: async (request) => {
        const r = await blog.setLike(currentUser(request).id, request.params.id, liked)
        return { liked: r.liked, like_count: r.likeCount }
      },
    })
  }
}
