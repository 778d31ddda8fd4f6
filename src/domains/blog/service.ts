/**
 * Posts, comments and likes. Every change is one IMMEDIATE transaction
 * (`transact`): the rows, the author's notification and the live-thread events
 * are written together, and the events go to the bus only after COMMIT.
 *
 * Notification rules (see also the README section the report describes):
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
 */
import { and, desc, eq, gte, inArray, isNull, lt, ne, sql } from 'drizzle-orm'
import type { Db } from '../../db/client.js'
import { transact, type Outbox, type Tx } from '../../db/transact.js'
import type { Bus } from '../../realtime/bus.js'
import { forbidden, notFound } from '../../errors.js'
import { users } from '../accounts/schema.js'
import { notifications } from '../notifications/schema.js'
import type { NotificationInput, NotificationService } from '../notifications/service.js'
import { commentMessage, commentPath, likeGroupKey, likeMessage, postPath, type PostFields } from './content.js'
import { blogComments, blogLikes, blogPostNotifications, blogPosts } from './schema.js'

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

export interface BlogServiceDeps {
  db: Db
  bus: Bus
  notifications: NotificationService
}

const iso = (ms: number) => new Date(ms).toISOString()

export function createBlogService({ db, bus, notifications: notes }: BlogServiceDeps) {
  const commentCount = sql<number>`(SELECT count(*) FROM blog_comments c WHERE c.post_id = ${blogPosts.id})`
  const likeCount = sql<number>`(SELECT count(*) FROM blog_likes l WHERE l.post_id = ${blogPosts.id})`

  function selectPosts(tx: Tx | Db) {
    return tx
      .select({ p: blogPosts, username: users.username, commentCount, likeCount })
      .from(blogPosts)
      .innerJoin(users, eq(users.id, blogPosts.authorId))
  }

  type PostSelection = { p: typeof blogPosts.$inferSelect; username: string; commentCount: number; likeCount: number }
  function toPost(r: PostSelection): PostDTO {
    return {
      id: r.p.id,
      title: r.p.title,
      body: r.p.body,
      author: { id: r.p.authorId, username: r.username },
      created_at: iso(r.p.createdAt),
      updated_at: iso(r.p.updatedAt),
      comment_count: r.commentCount,
      like_count: r.likeCount,
    }
  }

  function postIn(tx: Tx | Db, postId: number): PostDTO | null {
    const r = selectPosts(tx).where(eq(blogPosts.id, postId)).get()
    return r ? toPost(r) : null
  }

  /** The post, if it exists and `userId` wrote it: else 404 / 403. */
  function ownPost(tx: Tx, userId: number, postId: number) {
    const post = tx.select().from(blogPosts).where(eq(blogPosts.id, postId)).get()
    if (!post) throw notFound(`There is no post ${postId}`)
    if (post.authorId !== userId) throw forbidden('Only the author can change or delete this post')
    return post
  }

  function usernameIn(tx: Tx, userId: number): string {
    return tx.select({ u: users.username }).from(users).where(eq(users.id, userId)).get()?.u ?? 'someone'
  }

  function likedIn(tx: Tx | Db, userId: number, postId: number): boolean {
    return (
      tx
        .select({ id: blogLikes.id })
        .from(blogLikes)
        .where(and(eq(blogLikes.postId, postId), eq(blogLikes.userId, userId)))
        .get() !== undefined
    )
  }

  function countComments(tx: Tx, postId: number): number {
    return tx.select({ n: sql<number>`count(*)` }).from(blogComments).where(eq(blogComments.postId, postId)).get()!.n
  }

  function countLikes(tx: Tx, postId: number): number {
    return tx.select({ n: sql<number>`count(*)` }).from(blogLikes).where(eq(blogLikes.postId, postId)).get()!.n
  }

  function publish(outbox: Outbox, postId: number, e: PostTopicEvent) {
    const topic = postTopic(postId)
    outbox.push({ type: 'topic', topic, frame: { type: 'topic_event', topic, event: e.event, data: e.data } })
  }

  /**
   * Deletes the given notifications (by a subquery on blog_post_notifications)
   * and queues fresh counts for the users who had one of them unread.
   */
  function deleteNotificationsIn(tx: Tx, outbox: Outbox, where: ReturnType<typeof eq>) {
    const ids = tx.select({ id: blogPostNotifications.notificationId }).from(blogPostNotifications).where(where)
    const unreadOwners = tx
      .selectDistinct({ userId: notifications.userId })
      .from(notifications)
      .where(and(inArray(notifications.id, ids), isNull(notifications.readAt)))
      .all()
      .map((r) => r.userId)
    tx.delete(notifications).where(inArray(notifications.id, ids)).run()
    if (unreadOwners.length) outbox.push({ type: 'counts', userIds: unreadOwners })
    return unreadOwners
  }

  /** A like by someone other than the author: open a like group or grow the open one. */
  function notifyLike(tx: Tx, outbox: Outbox, post: typeof blogPosts.$inferSelect, likerId: number, likeId: number) {
    const groupKey = likeGroupKey(post.id)
    const input = (likers: number): NotificationInput => ({
      kind: 'like',
      title: likers > 1 ? 'New likes' : 'New like',
      message: likeMessage(usernameIn(tx, likerId), likers, post.title),
      linkUrl: postPath(post.id),
      linkText: 'View post',
      actorId: likerId,
    })
    const open = notes.findUnreadGroup(tx, post.authorId, groupKey)
    const link = open
      ? tx.select().from(blogPostNotifications).where(eq(blogPostNotifications.notificationId, open.id)).get()
      : undefined
    if (open && link?.firstLikeId != null) {
      const likers = tx
        .select({ n: sql<number>`count(*)` })
        .from(blogLikes)
        .where(and(eq(blogLikes.postId, post.id), gte(blogLikes.id, link.firstLikeId), ne(blogLikes.userId, post.authorId)))
        .get()!.n
      notes.updateIn(tx, outbox, open.id, input(likers))
      return
    }
    const [row] = notes.createIn(tx, outbox, [post.authorId], input(1), groupKey)
    tx.insert(blogPostNotifications).values({ notificationId: row!.id, postId: post.id, firstLikeId: likeId }).run()
  }

  const service = {
    /** Newest first; `before` is the id of the last post of the previous page. */
    listPosts(opts: { before?: number; limit?: number } = {}): { posts: PostDTO[]; nextBefore: number | null } {
      const limit = Math.min(Math.max(opts.limit ?? 10, 1), 50)
      const rows = selectPosts(db)
        .where(opts.before ? lt(blogPosts.id, opts.before) : undefined)
        .orderBy(desc(blogPosts.id))
        .limit(limit + 1)
        .all()
      const posts = rows.slice(0, limit).map(toPost)
      return { posts, nextBefore: rows.length > limit ? posts[posts.length - 1]!.id : null }
    },

    getPost(postId: number): PostDTO | null {
      return postIn(db, postId)
    },

    exists(postId: number): boolean {
      return db.select({ id: blogPosts.id }).from(blogPosts).where(eq(blogPosts.id, postId)).get() !== undefined
    },

    likedBy(userId: number, postId: number): boolean {
      return likedIn(db, userId, postId)
    },

    /** Oldest first (a thread reads top to bottom). */
    listComments(postId: number): CommentDTO[] {
      return db
        .select({ c: blogComments, username: users.username })
        .from(blogComments)
        .innerJoin(users, eq(users.id, blogComments.authorId))
        .where(eq(blogComments.postId, postId))
        .orderBy(blogComments.id)
        .all()
        .map((r) => ({
          id: r.c.id,
          post_id: r.c.postId,
          body: r.c.body,
          author: { id: r.c.authorId, username: r.username },
          created_at: iso(r.c.createdAt),
        }))
    },

    createPost(authorId: number, fields: PostFields): PostDTO {
      return transact(db, bus, (tx) => {
        const now = Date.now()
        const row = tx
          .insert(blogPosts)
          .values({ authorId, title: fields.title, body: fields.body, createdAt: now, updatedAt: now })
          .returning()
          .get()
        return postIn(tx, row.id)!
      })
    },

    updatePost(userId: number, postId: number, fields: PostFields): PostDTO {
      return transact(db, bus, (tx, outbox) => {
        ownPost(tx, userId, postId)
        tx.update(blogPosts)
          .set({ title: fields.title, body: fields.body, updatedAt: Date.now() })
          .where(eq(blogPosts.id, postId))
          .run()
        const post = postIn(tx, postId)!
        publish(outbox, postId, { event: 'post_updated', data: { post } })
        return post
      })
    },

    /** Deletes the post, its comments, likes and every notification about it. */
    deletePost(userId: number, postId: number): { notifiedUsers: number[] } {
      return transact(db, bus, (tx, outbox) => {
        ownPost(tx, userId, postId)
        const notifiedUsers = deleteNotificationsIn(tx, outbox, eq(blogPostNotifications.postId, postId))
        tx.delete(blogPosts).where(eq(blogPosts.id, postId)).run()
        publish(outbox, postId, { event: 'post_deleted', data: { post_id: postId } })
        return { notifiedUsers }
      })
    },

    addComment(userId: number, postId: number, body: string): { comment: CommentDTO; commentCount: number } {
      return transact(db, bus, (tx, outbox) => {
        const post = tx.select().from(blogPosts).where(eq(blogPosts.id, postId)).get()
        if (!post) throw notFound(`There is no post ${postId}`)
        const row = tx.insert(blogComments).values({ postId, authorId: userId, body, createdAt: Date.now() }).returning().get()
        const username = usernameIn(tx, userId)
        if (post.authorId !== userId) {
          const [n] = notes.createIn(tx, outbox, [post.authorId], {
            kind: 'comment',
            title: 'New comment',
            message: commentMessage(username, post.title),
            linkUrl: commentPath(postId, row.id),
            linkText: 'View comment',
            actorId: userId,
          })
          tx.insert(blogPostNotifications).values({ notificationId: n!.id, postId, commentId: row.id }).run()
        }
        const comment: CommentDTO = {
          id: row.id,
          post_id: postId,
          body: row.body,
          author: { id: userId, username },
          created_at: iso(row.createdAt),
        }
        const commentCount = countComments(tx, postId)
        publish(outbox, postId, { event: 'comment_added', data: { post_id: postId, comment, comment_count: commentCount } })
        return { comment, commentCount }
      })
    },

    /** Only the comment's writer may delete it; its notification goes too. */
    deleteComment(userId: number, commentId: number): { postId: number; commentCount: number } {
      return transact(db, bus, (tx, outbox) => {
        const row = tx.select().from(blogComments).where(eq(blogComments.id, commentId)).get()
        if (!row) throw notFound(`There is no comment ${commentId}`)
        if (row.authorId !== userId) throw forbidden('Only its writer can delete this comment')
        deleteNotificationsIn(tx, outbox, eq(blogPostNotifications.commentId, commentId))
        tx.delete(blogComments).where(eq(blogComments.id, commentId)).run()
        const commentCount = countComments(tx, row.postId)
        publish(outbox, row.postId, {
          event: 'comment_deleted',
          data: { post_id: row.postId, comment_id: commentId, comment_count: commentCount },
        })
        return { postId: row.postId, commentCount }
      })
    },

    /**
     * Sets this user's like on a post (idempotent). `changed` is false when it
     * already was so; only a new like notifies, and nothing is sent on unlike
     * but the live like count.
     */
    setLike(userId: number, postId: number, want: boolean | 'toggle'): { liked: boolean; likeCount: number; changed: boolean } {
      return transact(db, bus, (tx, outbox) => {
        const post = tx.select().from(blogPosts).where(eq(blogPosts.id, postId)).get()
        if (!post) throw notFound(`There is no post ${postId}`)
        const liked = want === 'toggle' ? !likedIn(tx, userId, postId) : want
        let changed: boolean
        if (liked) {
          const like = tx
            .insert(blogLikes)
            .values({ postId, userId, createdAt: Date.now() })
            .onConflictDoNothing()
            .returning({ id: blogLikes.id })
            .get()
          changed = like !== undefined
          if (like && post.authorId !== userId) notifyLike(tx, outbox, post, userId, like.id)
        } else {
          changed = tx.delete(blogLikes).where(and(eq(blogLikes.postId, postId), eq(blogLikes.userId, userId))).run().changes > 0
        }
        const likeCount = countLikes(tx, postId)
        if (changed) publish(outbox, postId, { event: 'like_count', data: { post_id: postId, like_count: likeCount } })
        return { liked, likeCount, changed }
      })
    },

    /** Likes or unlikes, decided inside the transaction (two quick clicks cannot both like). */
    toggleLike(userId: number, postId: number) {
      return service.setLike(userId, postId, 'toggle')
    },
  }
  return service
}

export type BlogService = ReturnType<typeof createBlogService>
