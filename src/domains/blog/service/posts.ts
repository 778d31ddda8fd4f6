/** Writing, reading, editing and deleting posts. Only a post's author may change it. */
import { desc, eq, lt } from 'drizzle-orm'
import { transact } from '../../../db/transact.js'
import { forbidden } from '../../../errors.js'
import { checkPost } from '../content.js'
import { blogPosts, type BlogPostRow } from '../schema.js'
import type { BlogNotifications } from './notifications.js'
import type { BlogQueries, BlogServiceDeps, PostDTO, Reader } from './queries.js'

export interface PostInput {
  title?: string
  body?: string
}

export function createPosts({ db, bus }: BlogServiceDeps, q: BlogQueries, notices: BlogNotifications) {
  /** The post's row if `userId` wrote it: else 404 / 403. */
  async function ownPostIn(tx: Reader, userId: number, postId: number): Promise<BlogPostRow> {
    const post = await q.postRowIn(tx, postId)
    if (post.authorId !== userId) throw forbidden('Only the author can change or delete this post')
    return post
  }

  return {
    /** Newest first; `before` is the id of the last post of the previous page. */
    async listPosts(opts: { before?: number; limit?: number } = {}): Promise<{ posts: PostDTO[]; nextBefore: number | null }> {
      const limit = Math.min(Math.max(opts.limit ?? 10, 1), 50)
      const rows = await q
        .selectPosts(db)
        .where(opts.before ? lt(blogPosts.id, opts.before) : undefined)
        .orderBy(desc(blogPosts.id))
        .limit(limit + 1)
      const posts = await q.toPosts(rows.slice(0, limit))
      return { posts, nextBefore: rows.length > limit ? posts[posts.length - 1]!.id : null }
    },

    /** The post; 404 when there is none. */
    async getPost(postId: number): Promise<PostDTO> {
      return q.postIn(db, postId)
    },

    async exists(postId: number): Promise<boolean> {
      return (await db.select({ id: blogPosts.id }).from(blogPosts).where(eq(blogPosts.id, postId)).limit(1))[0] !== undefined
    },

    /** The post as its author edits it: 404 when missing, 403 for anyone else. */
    async postToEdit(userId: number, postId: number): Promise<PostDTO> {
      await ownPostIn(db, userId, postId)
      return q.postIn(db, postId)
    },

    /** A new post; 422 `invalid` with a message per field. */
    async createPost(authorId: number, input: PostInput): Promise<PostDTO> {
      const fields = checkPost(input)
      return transact(db, bus, async (tx) => {
        const now = Date.now()
        const row = (await tx.insert(blogPosts).values({ authorId, ...fields, createdAt: now, updatedAt: now }).returning())[0]
        return q.postIn(tx, row.id)
      })
    },

    /** Changes the fields given (the others stay); 404, 403, then 422 with field messages. */
    async updatePost(userId: number, postId: number, input: PostInput): Promise<PostDTO> {
      return transact(db, bus, async (tx, outbox) => {
        const row = await ownPostIn(tx, userId, postId)
        const fields = checkPost({ title: input.title ?? row.title, body: input.body ?? row.body })
        await tx.update(blogPosts).set({ ...fields, updatedAt: Date.now() }).where(eq(blogPosts.id, postId))
        const post = await q.postIn(tx, postId)
        q.publish(outbox, postId, { event: 'post_updated', data: { post } })
        return post
      })
    },

    /** Deletes the post, its comments, likes and every notification about it. */
    async deletePost(userId: number, postId: number): Promise<void> {
      await transact(db, bus, async (tx, outbox) => {
        await ownPostIn(tx, userId, postId)
        await notices.withdraw(tx, outbox, { postId })
        await tx.delete(blogPosts).where(eq(blogPosts.id, postId))
        q.publish(outbox, postId, { event: 'post_deleted', data: { post_id: postId } })
      })
    },
  }
}
