/**
 * The blog's pages (/blog), its JSON API (/api/blog), its live topic (`post:<id>`)
 * and the fragments pushed on that topic. Reading is public; writing needs a login.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import Type, { type Static } from 'typebox'
import type { TopicFrame } from '../../protocol.js'
import { forbidden, invalid, notFound } from '../../errors.js'
import { currentUser, isHtmx, renderPage, requireUser } from '../../web/http.js'
import type { FieldErrors } from '../../errors.js'
import { excerpt, renderMarkdown, validateComment, validatePost } from './content.js'
import { createBlogService, postTopic, type BlogService, type CommentDTO, type PostDTO, type PostTopicEvent } from './service.js'

declare module 'fastify' {
  interface FastifyInstance {
    blog: BlogService
  }
}

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
const ListQuery = Type.Object({
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
})
// Lengths are checked by validatePost/validateComment (messages next to the fields);
// these caps only stop absurd payloads.
const PostBody = Type.Object({
  title: Type.Optional(Type.String({ maxLength: 10_000 })),
  body: Type.Optional(Type.String({ maxLength: 100_000 })),
})
const CommentBody = Type.Object({ body: Type.Optional(Type.String({ maxLength: 20_000 })) })
const LikeBody = Type.Object({ action: Type.Optional(Type.Union([Type.Literal('like'), Type.Literal('unlike'), Type.Literal('toggle')])) })

type IdRoute = { Params: Static<typeof IdParams> }

const PAGE_SIZE = 10

/** A post as the API and the pages show it: the Markdown body also rendered (raw HTML escaped). */
const withHtml = (post: PostDTO) => ({ ...post, body_html: renderMarkdown(post.body) })

function apiInvalid(reply: FastifyReply, errors: FieldErrors) {
  const [field, message] = Object.entries(errors)[0]!
  return reply.status(422).send({ error: 'invalid', message: `${field}: ${message}`, fields: errors })
}

async function blogPlugin(app: FastifyInstance) {
  const blog = createBlogService({ db: app.db, bus: app.bus, notifications: app.notifications })
  app.decorate('blog', blog)
  const { content } = app.realtime
  const guarded = { preHandler: requireUser }
  const notFoundPost = (id: number) => notFound(`There is no post ${id}`)

  // ------------------------------------------------------------ live topic

  app.realtime.topics.allow('post:', (_userId, id) => /^[1-9]\d{0,14}$/.test(id) && blog.exists(Number(id)))

  /** Fragments for a post's viewers, from the same partials the page uses. */
  const fragments = {
    commentAdded: (comment: CommentDTO, commentCount: number, viewerId: number | null, csrfToken: string | null) =>
      content.partial('blog/_comment_added', { c: comment, commentCount, viewerId, csrfToken }),
    commentRemoved: (postId: number, commentId: number, commentCount: number) =>
      content.partial('blog/_comment_removed', { postId, commentId, commentCount }),
  }
  const data = <E extends PostTopicEvent['event']>(frame: TopicFrame) => frame.data as Extract<PostTopicEvent, { event: E }>['data']

  content.onTopicEvent('comment_added', (frame, userId) => {
    const d = data<'comment_added'>(frame)
    return fragments.commentAdded(d.comment, d.comment_count, userId, null)
  })
  content.onTopicEvent('comment_deleted', (frame) => {
    const d = data<'comment_deleted'>(frame)
    return fragments.commentRemoved(d.post_id, d.comment_id, d.comment_count)
  })
  content.onTopicEvent('like_count', (frame) => {
    const d = data<'like_count'>(frame)
    return content.partial('blog/_like_count', { postId: d.post_id, likeCount: d.like_count, oob: true })
  })
  content.onTopicEvent('post_updated', (frame, userId) => {
    const d = data<'post_updated'>(frame)
    return content.partial('blog/_post', { post: withHtml(d.post), viewerId: userId, csrfToken: null, oob: true })
  })
  content.onTopicEvent('post_deleted', (frame) => content.partial('blog/_post_deleted', { postId: data<'post_deleted'>(frame).post_id }))

  // ------------------------------------------------------------ JSON API

  app.get<{ Querystring: Static<typeof ListQuery> }>('/api/blog/posts', { schema: { querystring: ListQuery } }, async (request) => {
    const { posts, nextBefore } = blog.listPosts({ before: request.query.before, limit: request.query.limit ?? PAGE_SIZE })
    return { posts: posts.map(withHtml), next_before: nextBefore }
  })

  app.get<IdRoute>('/api/blog/posts/:id', { schema: { params: IdParams } }, async (request) => {
    const post = blog.getPost(request.params.id)
    if (!post) throw notFoundPost(request.params.id)
    const viewer = request.principal?.user.id
    return {
      post: withHtml(post),
      comments: blog.listComments(post.id),
      liked: viewer === undefined ? false : blog.likedBy(viewer, post.id),
    }
  })

  app.post<{ Body: Static<typeof PostBody> }>('/api/blog/posts', { ...guarded, schema: { body: PostBody } }, async (request, reply) => {
    const checked = validatePost(request.body)
    if ('errors' in checked) return apiInvalid(reply, checked.errors)
    return reply.status(201).send({ post: withHtml(blog.createPost(currentUser(request).id, checked.post)) })
  })

  app.patch<IdRoute & { Body: Static<typeof PostBody> }>(
    '/api/blog/posts/:id',
    { ...guarded, schema: { params: IdParams, body: PostBody } },
    async (request, reply) => {
      const existing = blog.getPost(request.params.id)
      if (!existing) throw notFoundPost(request.params.id)
      const checked = validatePost({ title: request.body.title ?? existing.title, body: request.body.body ?? existing.body })
      if ('errors' in checked) return apiInvalid(reply, checked.errors)
      return { post: withHtml(blog.updatePost(currentUser(request).id, request.params.id, checked.post)) }
    },
  )

  app.delete<IdRoute>('/api/blog/posts/:id', { ...guarded, schema: { params: IdParams } }, async (request) => {
    blog.deletePost(currentUser(request).id, request.params.id)
    return { deleted: true }
  })

  app.post<IdRoute & { Body: Static<typeof CommentBody> }>(
    '/api/blog/posts/:id/comments',
    { ...guarded, schema: { params: IdParams, body: CommentBody } },
    async (request, reply) => {
      const checked = validateComment(request.body)
      if ('errors' in checked) return apiInvalid(reply, checked.errors)
      const { comment, commentCount } = blog.addComment(currentUser(request).id, request.params.id, checked.body)
      return reply.status(201).send({ comment, comment_count: commentCount })
    },
  )

  app.delete<IdRoute>('/api/blog/comments/:id', { ...guarded, schema: { params: IdParams } }, async (request) => {
    const { postId, commentCount } = blog.deleteComment(currentUser(request).id, request.params.id)
    return { deleted: true, post_id: postId, comment_count: commentCount }
  })

  app.put<IdRoute>('/api/blog/posts/:id/like', { ...guarded, schema: { params: IdParams } }, async (request) => {
    const r = blog.setLike(currentUser(request).id, request.params.id, true)
    return { liked: r.liked, like_count: r.likeCount }
  })

  app.delete<IdRoute>('/api/blog/posts/:id/like', { ...guarded, schema: { params: IdParams } }, async (request) => {
    const r = blog.setLike(currentUser(request).id, request.params.id, false)
    return { liked: r.liked, like_count: r.likeCount }
  })

  // ------------------------------------------------------------ pages


  function showPage(
    request: FastifyRequest,
    reply: FastifyReply,
    post: PostDTO,
    form: { values?: { body?: string }; errors?: FieldErrors } = {},
  ) {
    const viewer = request.principal?.user.id ?? null
    return renderPage(request, reply, 'blog/show', {
      post: withHtml(post),
      comments: blog.listComments(post.id),
      liked: viewer === null ? false : blog.likedBy(viewer, post.id),
      viewerId: viewer,
      topic: postTopic(post.id),
      commentValues: form.values ?? {},
      commentErrors: form.errors ?? {},
    })
  }

  function formPage(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    data: { post: PostDTO | null; values: { title?: string; body?: string }; errors: FieldErrors },
  ) {
    reply.status(status)
    const action = data.post ? `/blog/posts/${data.post.id}/edit` : '/blog/posts'
    return renderPage(request, reply, 'blog/form', { ...data, action })
  }

  /** After a change: htmx follows HX-Redirect, a plain form a 303. */
  function goTo(request: FastifyRequest, reply: FastifyReply, url: string) {
    if (isHtmx(request)) {
      reply.header('HX-Redirect', url)
      return reply.status(204).send()
    }
    return reply.redirect(url, 303)
  }

  /** The post, for its author only: 404 when missing, 403 for anyone else. */
  function ownPost(request: FastifyRequest, id: number): PostDTO {
    const post = blog.getPost(id)
    if (!post) throw notFoundPost(id)
    if (post.author.id !== currentUser(request).id) {
      throw forbidden('Only the author can change or delete this post')
    }
    return post
  }

  app.get<{ Querystring: Static<typeof ListQuery> }>('/blog', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const { posts, nextBefore } = blog.listPosts({ before: request.query.before, limit: PAGE_SIZE })
    return renderPage(request, reply, 'blog/index', {
      posts: posts.map((p) => ({ ...p, excerpt: excerpt(p.body) })),
      older: nextBefore ? `/blog?before=${nextBefore}` : null,
      firstPage: !request.query.before,
    })
  })

  app.get('/blog/new', guarded, async (request, reply) => formPage(request, reply, 200, { post: null, values: {}, errors: {} }))

  app.post<{ Body: Static<typeof PostBody> }>('/blog/posts', { ...guarded, schema: { body: PostBody } }, async (request, reply) => {
    const checked = validatePost(request.body)
    if ('errors' in checked) return formPage(request, reply, 422, { post: null, values: request.body, errors: checked.errors })
    const post = blog.createPost(currentUser(request).id, checked.post)
    return goTo(request, reply, `/blog/posts/${post.id}`)
  })

  app.get<IdRoute>('/blog/posts/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const post = blog.getPost(request.params.id)
    if (!post) throw notFoundPost(request.params.id)
    return showPage(request, reply, post)
  })

  app.get<IdRoute>('/blog/posts/:id/edit', { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
    const post = ownPost(request, request.params.id)
    return formPage(request, reply, 200, { post, values: { title: post.title, body: post.body }, errors: {} })
  })

  app.post<IdRoute & { Body: Static<typeof PostBody> }>(
    '/blog/posts/:id/edit',
    { ...guarded, schema: { params: IdParams, body: PostBody } },
    async (request, reply) => {
      const post = ownPost(request, request.params.id)
      const checked = validatePost(request.body)
      if ('errors' in checked) return formPage(request, reply, 422, { post, values: request.body, errors: checked.errors })
      blog.updatePost(currentUser(request).id, post.id, checked.post)
      return goTo(request, reply, `/blog/posts/${post.id}`)
    },
  )

  app.post<IdRoute>('/blog/posts/:id/delete', { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
    blog.deletePost(currentUser(request).id, request.params.id)
    return goTo(request, reply, '/blog')
  })

  app.post<IdRoute & { Body: Static<typeof CommentBody> }>(
    '/blog/posts/:id/comments',
    { ...guarded, schema: { params: IdParams, body: CommentBody } },
    async (request, reply) => {
      const post = blog.getPost(request.params.id)
      if (!post) throw notFoundPost(request.params.id)
      const user = currentUser(request)
      const checked = validateComment(request.body)
      const csrfToken = reply.generateCsrf()
      const form = (values: { body?: string }, errors: FieldErrors) =>
        content.partial('blog/_comment_form', { postId: post.id, values, errors, csrfToken })
      if ('errors' in checked) {
        reply.status(422)
        if (!isHtmx(request)) return showPage(request, reply, post, { values: request.body, errors: checked.errors })
        return reply.type('text/html').send(form(request.body, checked.errors))
      }
      const { comment, commentCount } = blog.addComment(user.id, post.id, checked.body)
      if (!isHtmx(request)) return reply.redirect(`/blog/posts/${post.id}#comment-${comment.id}`, 303)
      // The cleared form, and the comment through the same idempotent fragment the
      // other viewers get pushed (whichever arrives first inserts it, once).
      return reply.type('text/html').send(form({}, {}) + fragments.commentAdded(comment, commentCount, user.id, csrfToken))
    },
  )

  app.post<IdRoute>('/blog/comments/:id/delete', { ...guarded, schema: { params: IdParams } }, async (request, reply) => {
    const { postId, commentCount } = blog.deleteComment(currentUser(request).id, request.params.id)
    if (!isHtmx(request)) return reply.redirect(`/blog/posts/${postId}#comments`, 303)
    return reply.type('text/html').send(fragments.commentRemoved(postId, request.params.id, commentCount))
  })

  // The body may be empty (a bare POST toggles); `action` makes a stale page's click idempotent.
  app.post<IdRoute & { Body: Static<typeof LikeBody> | undefined }>(
    '/blog/posts/:id/like',
    { ...guarded, schema: { params: IdParams } },
    async (request, reply) => {
      const user = currentUser(request)
      const action = request.body?.action ?? 'toggle'
      if (!['like', 'unlike', 'toggle'].includes(action)) throw invalid('action must be like, unlike or toggle')
      const r = blog.setLike(user.id, request.params.id, action === 'toggle' ? 'toggle' : action === 'like')
      if (!isHtmx(request)) return reply.redirect(`/blog/posts/${request.params.id}`, 303)
      const csrfToken = reply.generateCsrf()
      return reply
        .type('text/html')
        .send(content.partial('blog/_like', { postId: request.params.id, likeCount: r.likeCount, liked: r.liked, canLike: true, csrfToken }))
    },
  )
}

export const blogRoutes = fp(blogPlugin, { name: 'blog', dependencies: ['http'] })
