/**
 * Posts, comments and likes. Every change is one IMMEDIATE transaction
 * (`transact`): the rows, the author's notification and the live-topic events
 * are written together, and the events go to the bus only after COMMIT.
 */
import { createComments } from './comments.js'
import { createLikes } from './likes.js'
import { createBlogNotifications } from './notifications.js'
import { createPosts } from './posts.js'
import { createQueries, type BlogServiceDeps } from './queries.js'

export type { PostInput } from './posts.js'
export { postTopic, type BlogServiceDeps, type CommentDTO, type PostDTO, type PostTopicEvent } from './queries.js'

export function createBlogService(deps: BlogServiceDeps) {
  const queries = createQueries(deps)
  const notices = createBlogNotifications(deps)
  return {
    ...createPosts(deps, queries, notices),
    ...createComments(deps, queries, notices),
    ...createLikes(deps, queries, notices),
  }
}

export type BlogService = ReturnType<typeof createBlogService>
