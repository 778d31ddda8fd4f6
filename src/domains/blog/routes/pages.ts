/**
 * The blog's pages (/blog). Reading is public; writing needs a login. A rejected
 * form comes back (422) with the service's messages next to its fields.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { FieldErrors } from '../../../errors.js'
import { redirectAfterPost, rejectedFields } from '../../../web/forms.js'
import { currentUser, isHtmx, renderPage, requireUser } from '../../../web/http.js'
import { IdParams } from '../../../web/schemas.js'
import { excerpt, withHtml } from '../content.js'
import { blogFragments } from '../live.js'
import { postTopic, type PostDTO } from '../service/index.js'
import { CommentBody, ListQuery, PAGE_SIZE, PostBody } from './api.js'

// The body may be empty (a bare POST toggles); `action` makes a stale page's click idempotent.
const LikeForm = Type.Union([
  Type.Object({ action: Type.Optional(Type.Union([Type.Literal('like'), Type.Literal('unlike'), Type.Literal('toggle')])) }),
  Type.Null(),
])

async function formPage(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  data: { post: PostDTO | null; values: { title?: string; body?: string }; errors: FieldErrors },
) {
  reply.status(status)
  const action = data.post ? `/blog/posts/${data.post.id}/edit` : '/blog/posts'
  return renderPage(request, reply, 'blog/form', { ...data, action })
}

export const blogPages: FastifyPluginAsyncTypebox = async (app) => {
  const { blog } = app

  app.get('/blog', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const { posts, nextBefore } = await blog.listPosts({ before: request.query.before, limit: PAGE_SIZE })
    return renderPage(request, reply, 'blog/index', {
      posts: posts.map((p) => ({ ...p, excerpt: excerpt(p.body) })),
      older: nextBefore ? `/blog?before=${nextBefore}` : null,
      firstPage: !request.query.before,
    })
  })

  app.get('/blog/posts/:id', { schema: { params: IdParams } }, async (request, reply) => showPage(request, reply, await blog.getPost(request.params.id)))

  await app.register(blogPageWrites)
}

/** The post's page, with the comment form as given (a rejected comment keeps its text). */
async function showPage(request: FastifyRequest, reply: FastifyReply, post: PostDTO, form: { values?: { body?: string }; errors?: FieldErrors } = {}) {
  const { blog } = request.server
  const viewer = request.principal?.user.id ?? null
  return renderPage(request, reply, 'blog/show', {
    post: withHtml(post),
    comments: await blog.listComments(post.id),
    liked: viewer === null ? false : await blog.likedBy(viewer, post.id),
    viewerId: viewer,
    topic: postTopic(post.id),
    commentValues: form.values ?? {},
    commentErrors: form.errors ?? {},
  })
}

const blogPageWrites: FastifyPluginAsyncTypebox = async (app) => {
  const { blog } = app
  const fragments = blogFragments(app.realtime.content)
  app.addHook('preHandler', requireUser)

  app.get('/blog/new', async (request, reply) => formPage(request, reply, 200, { post: null, values: {}, errors: {} }))

  app.post('/blog/posts', { schema: { body: PostBody } }, async (request, reply) => {
    let post
    try {
      post = await blog.createPost(currentUser(request).id, request.body)
    } catch (err) {
      return formPage(request, reply, 422, { post: null, values: request.body, errors: rejectedFields(err) })
    }
    return redirectAfterPost(request, reply, `/blog/posts/${post.id}`)
  })

  app.get('/blog/posts/:id/edit', { schema: { params: IdParams } }, async (request, reply) => {
    const post = await blog.postToEdit(currentUser(request).id, request.params.id)
    return formPage(request, reply, 200, { post, values: { title: post.title, body: post.body }, errors: {} })
  })

  app.post('/blog/posts/:id/edit', { schema: { params: IdParams, body: PostBody } }, async (request, reply) => {
    const { id } = request.params
    try {
      await blog.updatePost(currentUser(request).id, id, request.body)
    } catch (err) {
      return formPage(request, reply, 422, { post: await blog.getPost(id), values: request.body, errors: rejectedFields(err) })
    }
    return redirectAfterPost(request, reply, `/blog/posts/${id}`)
  })

  app.post('/blog/posts/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    await blog.deletePost(currentUser(request).id, request.params.id)
    return redirectAfterPost(request, reply, '/blog')
  })

  app.post('/blog/posts/:id/comments', { schema: { params: IdParams, body: CommentBody } }, async (request, reply) => {
    const user = currentUser(request)
    const postId = request.params.id
    const csrfToken = reply.generateCsrf()
    let added
    try {
      added = await blog.addComment(user.id, postId, request.body)
    } catch (err) {
      const errors = rejectedFields(err)
      reply.status(422)
      if (!isHtmx(request)) return showPage(request, reply, await blog.getPost(postId), { values: request.body, errors })
      return reply.type('text/html').send(fragments.commentForm(postId, request.body, errors, csrfToken))
    }
    const { comment, commentCount } = added
    if (!isHtmx(request)) return reply.redirect(`/blog/posts/${postId}#comment-${comment.id}`, 303)
    // The cleared form, and the comment through the same idempotent fragment the
    // other viewers get pushed (whichever arrives first inserts it, once).
    return reply.type('text/html').send(fragments.commentForm(postId, {}, {}, csrfToken) + fragments.commentAdded(comment, commentCount, user.id, csrfToken))
  })

  app.post('/blog/comments/:id/delete', { schema: { params: IdParams } }, async (request, reply) => {
    const { postId, commentCount } = await blog.deleteComment(currentUser(request).id, request.params.id)
    if (!isHtmx(request)) return reply.redirect(`/blog/posts/${postId}#comments`, 303)
    return reply.type('text/html').send(fragments.commentRemoved(postId, request.params.id, commentCount))
  })

  app.post('/blog/posts/:id/like', { schema: { params: IdParams, body: LikeForm } }, async (request, reply) => {
    const action = request.body?.action ?? 'toggle'
    const r = await blog.setLike(currentUser(request).id, request.params.id, action === 'toggle' ? 'toggle' : action === 'like')
    if (!isHtmx(request)) return reply.redirect(`/blog/posts/${request.params.id}`, 303)
    return reply.type('text/html').send(fragments.like(request.params.id, r.likeCount, r.liked, reply.generateCsrf()))
  })
}
