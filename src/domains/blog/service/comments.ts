/** Comments: anyone logged in comments on a post; only its writer deletes a comment. */
import { eq } from 'drizzle-orm'
import { transact } from '../../../db/transact.js'
import { forbidden, notFound } from '../../../errors.js'
import { checkComment } from '../content.js'
import { blogComments } from '../schema.js'
import type { BlogNotifications } from './notifications.js'
import type { BlogQueries, BlogServiceDeps, CommentDTO } from './queries.js'

export function createComments({ db, bus }: BlogServiceDeps, q: BlogQueries, notices: BlogNotifications) {
  return {
    /** Oldest first (a thread reads top to bottom). */
    async listComments(postId: number): Promise<CommentDTO[]> {
      return q.toComments(await db.select().from(blogComments).where(eq(blogComments.postId, postId)).orderBy(blogComments.id))
    },

    /** 404 for a missing post, then 422 `invalid` for an empty or long body. */
    async addComment(userId: number, postId: number, input: { body?: string }): Promise<{ comment: CommentDTO; commentCount: number }> {
      return transact(db, bus, async (tx, outbox) => {
        const post = await q.postRowIn(tx, postId)
        const body = checkComment(input)
        const row = (await tx.insert(blogComments).values({ postId, authorId: userId, body, createdAt: Date.now() }).returning())[0]
        const [comment] = await q.toComments([row])
        await notices.commentAdded(tx, outbox, post, comment!)
        const commentCount = await q.countComments(tx, postId)
        q.publish(outbox, postId, { event: 'comment_added', data: { post_id: postId, comment: comment!, comment_count: commentCount } })
        return { comment: comment!, commentCount }
      })
    },

    /** Only the comment's writer may delete it; its notification goes too. */
    async deleteComment(userId: number, commentId: number): Promise<{ postId: number; commentCount: number }> {
      return transact(db, bus, async (tx, outbox) => {
        const row = (await tx.select().from(blogComments).where(eq(blogComments.id, commentId)).limit(1))[0]
        if (!row) throw notFound(`There is no comment ${commentId}`)
        if (row.authorId !== userId) throw forbidden('Only its writer can delete this comment')
        await notices.withdraw(tx, outbox, { commentId })
        await tx.delete(blogComments).where(eq(blogComments.id, commentId))
        const commentCount = await q.countComments(tx, row.postId)
        q.publish(outbox, row.postId, {
          event: 'comment_deleted',
          data: { post_id: row.postId, comment_id: commentId, comment_count: commentCount },
        })
        return { postId: row.postId, commentCount }
      })
    },
  }
}
