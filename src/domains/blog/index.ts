/**
 * The blog domain: posts, comments and likes, their pages and API, and the live
 * topic of each post (`post:<id>`). Decorates `app.blog`.
 */
import fp from 'fastify-plugin'
import { wireBlogLive } from './live.js'
import { blogApi } from './routes/api.js'
import { blogPages } from './routes/pages.js'
import { createBlogService, type BlogService } from './service/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    blog: BlogService
  }
}

export const blogPlugin = fp(
  async (app) => {
    const blog = createBlogService({ db: app.db, bus: app.bus, notifications: app.notifications, accounts: app.accounts })
    app.decorate('blog', blog)
    app.notifications.mutes.allow('post', async (_userId, id) => blog.exists(id), async (_userId, id) => (await blog.exists(id) ? `Post “${(await blog.getPost(id)).title}”` : null))
    wireBlogLive(app, blog)
    await app.register(blogApi)
    await app.register(blogPages)
  },
  { name: 'blog', dependencies: ['http', 'accounts'], decorators: { fastify: ['db', 'bus', 'notifications', 'realtime'] } },
)
