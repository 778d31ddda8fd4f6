/**
 * The notifications the blog sends and takes back:
 * - a comment on someone else's post: one `comment` notification for the post's
 *   author, linking to /blog/posts/<id>#comment-<cid>;
 * - a like on someone else's post: while the author has an UNREAD `like`
 *   notification for that post (group key `like:post:<id>`), the like rewrites
 *   that row ("carol and 3 others liked ...", same id, pushed again); otherwise
 *   a new `like` notification opens a new group. Its likers are the post's
 *   current likes from the like that opened the group on (the author's own
 *   excluded), so an unlike followed by a like is counted once;
 * - unliking sends nothing and leaves the notification as it is;
 * - nothing for the author's own comments and likes on their own posts;
 * - deleting a comment deletes its notification; deleting a post deletes every
 *   notification about it, and the affected users get fresh counts.
 * `blog_post_notifications` records which notification is about which post and comment.
 */
import { and, count, eq, gte, inArray, isNull, ne } from 'drizzle-orm'
import type { Outbox, Tx } from '../../../db/transact.js'
import type { NotificationInput } from '../../notifications/service.js'
// The notifications service has no call yet to delete rows and report whose counts
// changed; until it has, withdraw() below is the one place that reaches into its table.
import { notifications } from '../../notifications/schema.js'
import { commentMessage, commentPath, likeGroupKey, likeMessage, postPath } from '../content.js'
import { blogLikes, blogPostNotifications, type BlogPostRow } from '../schema.js'
import type { BlogServiceDeps, CommentDTO } from './queries.js'

export function createBlogNotifications({ notifications: notes, accounts }: BlogServiceDeps) {
  const usernameOf = async (userId: number) => (await accounts.usernames([userId])).get(userId) ?? 'someone'

  return {
    async commentAdded(tx: Tx, outbox: Outbox, post: BlogPostRow, comment: CommentDTO) {
      if (post.authorId === comment.author.id) return
      const [n] = await notes.createIn(tx, outbox, [post.authorId], {
        kind: 'comment',
        title: 'New comment',
        message: commentMessage(comment.author.username, post.title),
        linkUrl: commentPath(post.id, comment.id),
        linkText: 'View comment',
        actorId: comment.author.id,
        thread: `post:${post.id}`,
      })
      if (n) await tx.insert(blogPostNotifications).values({ notificationId: n.id, postId: post.id, commentId: comment.id })
    },

    /** A new like: opens a like group or grows the author's open one. */
    async likeAdded(tx: Tx, outbox: Outbox, post: BlogPostRow, likerId: number, likeId: number) {
      if (post.authorId === likerId) return
      const groupKey = likeGroupKey(post.id)
      const input = async (likers: number): Promise<NotificationInput> => ({
        kind: 'like',
        title: likers > 1 ? 'New likes' : 'New like',
        message: likeMessage(await usernameOf(likerId), likers, post.title),
        linkUrl: postPath(post.id),
        linkText: 'View post',
        actorId: likerId,
        thread: `post:${post.id}`,
      })
      const open = await notes.findUnreadGroup(tx, post.authorId, groupKey)
      const link = open && (await tx.select().from(blogPostNotifications).where(eq(blogPostNotifications.notificationId, open.id)).limit(1))[0]
      if (open && link && link.firstLikeId !== null) {
        const likers = (await tx
          .select({ n: count() })
          .from(blogLikes)
          .where(and(eq(blogLikes.postId, post.id), gte(blogLikes.id, link.firstLikeId), ne(blogLikes.userId, post.authorId))).limit(1))[0]!.n
        await notes.updateIn(tx, outbox, open.id, await input(likers))
        return
      }
      const [n] = await notes.createIn(tx, outbox, [post.authorId], await input(1), groupKey)
      if (n) await tx.insert(blogPostNotifications).values({ notificationId: n.id, postId: post.id, firstLikeId: likeId })
    },

    /** Deletes the notifications about a post or one comment; those who had one unread get fresh counts. */
    async withdraw(tx: Tx, outbox: Outbox, about: { postId: number } | { commentId: number }) {
      const where = 'postId' in about ? eq(blogPostNotifications.postId, about.postId) : eq(blogPostNotifications.commentId, about.commentId)
      const ids = tx.select({ id: blogPostNotifications.notificationId }).from(blogPostNotifications).where(where)
      const unreadOwners = (await tx
        .selectDistinct({ userId: notifications.userId })
        .from(notifications)
        .where(and(inArray(notifications.id, ids), isNull(notifications.readAt))))
        .map((r) => r.userId)
      await tx.delete(notifications).where(inArray(notifications.id, ids))
      if (unreadOwners.length) outbox.push({ type: 'counts', userIds: unreadOwners })
    },
  }
}

export type BlogNotifications = ReturnType<typeof createBlogNotifications>
