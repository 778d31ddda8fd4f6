/** PostgreSQL mirror of schema.ts (see accounts/schema.pg.ts). */
import { bigint, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core'
import { users } from '../accounts/schema.pg.js'
import { notifications } from '../notifications/schema.pg.js'

export const blogPosts = pgTable(
  'blog_posts',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('blog_posts_author_idx').on(t.authorId)],
)

export const blogComments = pgTable(
  'blog_comments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    postId: integer('post_id')
      .notNull()
      .references(() => blogPosts.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('blog_comments_post_idx').on(t.postId, t.id)],
)

export const blogLikes = pgTable(
  'blog_likes',
  {
    // An identity only grows, as the like groups' "from this id on" needs.
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    postId: integer('post_id')
      .notNull()
      .references(() => blogPosts.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('blog_likes_post_user_idx').on(t.postId, t.userId)],
)

export const blogPostNotifications = pgTable(
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
