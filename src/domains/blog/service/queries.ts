/**
 * What every job of the blog service reads the same way: a post with its counts, a
 * comment as the API shows it, a post or 404, and the events of a post's live topic.
 */
import { and, count, eq } from 'drizzle-orm'
import type { Db } from '../../../db/client.js'
import type { Outbox, Tx } from '../../../db/transact.js'
import { notFound } from '../../../errors.js'
import type { Bus } from '../../../realtime/bus.js'
import type { AccountService } from '../../accounts/service.js'
import type { NotificationService } from '../../notifications/service.js'
import { blogComments, blogLikes, blogPosts, type BlogCommentRow, type BlogPostRow } from '../schema.js'

export interface BlogServiceDeps {
  db: Db
  bus: Bus
  notifications: NotificationService
  /** Authors' names come from the accounts domain. */
  accounts: Pick<AccountService, 'usernames'>
}

/** The database itself, or the transaction a change runs in. */
export type Reader = Db | Tx

export interface Author {
  id: number
  username: string
}

export interface PostDTO {
  id: number
  title: string
  /** Markdown source */
  body: string
  author: Author
  created_at: string
  updated_at: string
  comment_count: number
  like_count: number
}

export interface CommentDTO {
  id: number
  post_id: number
  body: string
  author: Author
  created_at: string
}

/** The events of a post's live topic (`post:<id>`), carried by `topic_event` frames. */
export type PostTopicEvent =
  | { event: 'comment_added'; data: { post_id: number; comment: CommentDTO; comment_count: number } }
  | { event: 'comment_deleted'; data: { post_id: number; comment_id: number; comment_count: number } }
  | { event: 'like_count'; data: { post_id: number; like_count: number } }
  | { event: 'post_updated'; data: { post: PostDTO } }
  | { event: 'post_deleted'; data: { post_id: number } }

export const postTopic = (postId: number) => `post:${postId}`

const iso = (ms: number) => new Date(ms).toISOString()

export function createQueries({ accounts }: BlogServiceDeps) {
  function selectPosts(tx: Reader) {
    return tx
      .select({
        p: blogPosts,
        commentCount: tx.$count(blogComments, eq(blogComments.postId, blogPosts.id)),
        likeCount: tx.$count(blogLikes, eq(blogLikes.postId, blogPosts.id)),
      })
      .from(blogPosts)
  }
  type PostSelection = { p: BlogPostRow; commentCount: number; likeCount: number }

  const author = (id: number, names: Map<number, string>): Author => ({ id, username: names.get(id) ?? 'someone' })

  const queries = {
    selectPosts,

    /** Posts as the API shows them, their authors' names asked of the accounts domain. */
    async toPosts(rows: PostSelection[]): Promise<PostDTO[]> {
      const names = await accounts.usernames(rows.map((r) => r.p.authorId))
      return rows.map(({ p, commentCount, likeCount }) => ({
        id: p.id,
        title: p.title,
        body: p.body,
        author: author(p.authorId, names),
        created_at: iso(p.createdAt),
        updated_at: iso(p.updatedAt),
        comment_count: commentCount,
        like_count: likeCount,
      }))
    },

    async toComments(rows: BlogCommentRow[]): Promise<CommentDTO[]> {
      const names = await accounts.usernames(rows.map((c) => c.authorId))
      return rows.map((c) => ({ id: c.id, post_id: c.postId, body: c.body, author: author(c.authorId, names), created_at: iso(c.createdAt) }))
    },

    /** The post with its counts; 404 when there is none. */
    async postIn(tx: Reader, postId: number): Promise<PostDTO> {
      const row = (await selectPosts(tx).where(eq(blogPosts.id, postId)).limit(1))[0]
      if (!row) throw notFound(`There is no post ${postId}`)
      return (await queries.toPosts([row]))[0]!
    },

    /** The post's row; 404 when there is none. */
    async postRowIn(tx: Reader, postId: number): Promise<BlogPostRow> {
      const post = (await tx.select().from(blogPosts).where(eq(blogPosts.id, postId)).limit(1))[0]
      if (!post) throw notFound(`There is no post ${postId}`)
      return post
    },

    async likedIn(tx: Reader, userId: number, postId: number): Promise<boolean> {
      const like = (await tx.select({ id: blogLikes.id }).from(blogLikes).where(and(eq(blogLikes.postId, postId), eq(blogLikes.userId, userId))).limit(1))[0]
      return like !== undefined
    },

    countComments: async (tx: Reader, postId: number) => (await tx.select({ n: count() }).from(blogComments).where(eq(blogComments.postId, postId)).limit(1))[0]!.n,

    countLikes: async (tx: Reader, postId: number) => (await tx.select({ n: count() }).from(blogLikes).where(eq(blogLikes.postId, postId)).limit(1))[0]!.n,

    /** Queues an event for the post's viewers; it goes out after commit. */
    publish(outbox: Outbox, postId: number, e: PostTopicEvent) {
      const topic = postTopic(postId)
      outbox.push({ type: 'topic', topic, frame: { type: 'topic_event', topic, event: e.event, data: e.data } })
    },
  }
  return queries
}

export type BlogQueries = ReturnType<typeof createQueries>
