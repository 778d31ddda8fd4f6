/** Likes: one per user and post; the live count follows every change. */
import { and, eq } from 'drizzle-orm'
import { lockKey, transact } from '../../../db/transact.js'
import { blogLikes } from '../schema.js'
import type { BlogNotifications } from './notifications.js'
import type { BlogQueries, BlogServiceDeps } from './queries.js'

export interface LikeState {
  liked: boolean
  likeCount: number
  /** false when the like already was so */
  changed: boolean
}

export function createLikes({ db, bus }: BlogServiceDeps, q: BlogQueries, notices: BlogNotifications) {
  const likes = {
    async likedBy(userId: number, postId: number): Promise<boolean> {
      return q.likedIn(db, userId, postId)
    },

    /**
     * Sets this user's like on a post (idempotent); 'toggle' is decided inside the
     * transaction, so two quick clicks cannot both like. Only a new like notifies;
     * an unlike sends nothing but the live like count.
     */
    async setLike(userId: number, postId: number, want: boolean | 'toggle'): Promise<LikeState> {
      return transact(db, bus, async (tx, outbox) => {
        // Likes of one post one at a time, so their ids follow the order the grouped
        // notification counts them in ("bob and 9 others" counts from its first like's id).
        await lockKey(tx, `likes:${postId}`)
        const post = await q.postRowIn(tx, postId)
        const liked = want === 'toggle' ? !await q.likedIn(tx, userId, postId) : want
        let changed: boolean
        if (liked) {
          const like = (await tx
            .insert(blogLikes)
            .values({ postId, userId, createdAt: Date.now() })
            .onConflictDoNothing()
            .returning({ id: blogLikes.id }))[0]
          changed = like !== undefined
          if (like) await notices.likeAdded(tx, outbox, post, userId, like.id)
        } else {
          changed = (await tx.delete(blogLikes).where(and(eq(blogLikes.postId, postId), eq(blogLikes.userId, userId))).returning({ id: blogLikes.id })).length > 0
        }
        const likeCount = await q.countLikes(tx, postId)
        if (changed) q.publish(outbox, postId, { event: 'like_count', data: { post_id: postId, like_count: likeCount } })
        return { liked, likeCount, changed }
      })
    },
  }
  return likes
}
