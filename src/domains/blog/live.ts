/**
 * The blog's live side: who may follow a post's topic (`post:<id>`), and the HTML
 * pushed with its events, rendered from the same partials the page uses.
 */
import type { FastifyInstance } from 'fastify'
import type { TopicFrame } from '../../protocol.js'
import type { PushContent } from '../../realtime/content.js'
import { withHtml } from './content.js'
import type { BlogService, CommentDTO, PostTopicEvent } from './service/index.js'

/** Fragments of a post's page; the pages answer htmx with the same ones the viewers get pushed. */
export function blogFragments(content: PushContent) {
  return {
    commentAdded: (comment: CommentDTO, commentCount: number, viewerId: number | null, csrfToken: string | null) =>
      content.partial('blog/_comment_added', { c: comment, commentCount, viewerId, csrfToken }),
    commentRemoved: (postId: number, commentId: number, commentCount: number) =>
      content.partial('blog/_comment_removed', { postId, commentId, commentCount }),
    commentForm: (postId: number, values: { body?: string }, errors: object, csrfToken: string) =>
      content.partial('blog/_comment_form', { postId, values, errors, csrfToken }),
    like: (postId: number, likeCount: number, liked: boolean, csrfToken: string) =>
      content.partial('blog/_like', { postId, likeCount, liked, canLike: true, csrfToken }),
  }
}

const POST_ID = /^[1-9]\d{0,14}$/

export function wireBlogLive(app: FastifyInstance, blog: BlogService) {
  const { content, topics } = app.realtime
  const fragments = blogFragments(content)
  const data = <E extends PostTopicEvent['event']>(frame: TopicFrame) => frame.data as Extract<PostTopicEvent, { event: E }>['data']

  topics.allow('post:', async (_userId, id) => POST_ID.test(id) && await blog.exists(Number(id)))

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
}
