import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from '../accounts/schema.js'
import { notifications } from '../notifications/schema.js'

export const blogPosts = sqliteTable(
  'blog_posts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** Markdown source; rendered (raw HTML escaped) when shown. */
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('blog_posts_author_idx').on(t.authorId)],
)

export const blogComments = sqliteTable(
  'blog_comments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => blogPosts.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Plain text, shown escaped. */
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('blog_comments_post_idx').on(t.postId, t.id)],
)

export const blogLikes = sqliteTable(
  'blog_likes',
  {
    /** Increasing: a like group counts the likes of its post from its first like's id on. */
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: integer('post_id')
      .notNull()
      .references(() => blogPosts.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('blog_likes_post_user_idx').on(t.postId, t.userId)],
)

/**
 * Which notifications are about which post (and comment), so that deleting a
 * post or a comment takes its notifications with it. For a grouped `like`
 * notification, `firstLikeId` is the like that opened the group: its likers are
 * the post's likes with an id at or above it.
 */
export const blogPostNotifications = sqliteTable(
  'blog_post_notifications',
  {
    notificationId: integer('notification_id')
      .primaryKey()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    postId: integer('post_id')
      .notNull()
      .references(() => blogPosts.id, { onDelete: 'cascade' }),
    commentId: integer('comment_id').references(() => blogComments.id, { onDelete: 'cascade' }),
    firstLikeId: integer('first_like_id'),
  },
  (t) => [
    index('blog_post_notifications_post_idx').on(t.postId),
    index('blog_post_notifications_comment_idx').on(t.commentId),
  ],
)

export type BlogPostRow = typeof blogPosts.$inferSelect
export type BlogCommentRow = typeof blogComments.$inferSelect
