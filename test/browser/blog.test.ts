/**
 * The blog in a real browser: B comments on A's post through the htmx form; A, on
 * another page, gets the toast; C, viewing the post, sees the comment (and the like
 * count) appear without reload; B's own page shows the comment once.
 */
import t from 'tap'
import type { Page } from 'playwright-core'
import { createUser } from '../helper.js'
import { badgeCount, framesOf, launchBrowser, loginPage, startApp, waitForFrame } from './browser.js'
import { createPost } from '../blog/fixtures/blog.js'

const XSS = '<img src=x onerror=alert(1)>'

t.test('B comments on A\'s post: A gets the toast, C sees it live, B sees it once', async (t) => {
  const browser = await launchBrowser(t)
  if (!browser) return
  const s = await startApp(t)
  const alice = await createUser(s.app, { username: 'alice' })
  const bob = await createUser(s.app, { username: 'bob' })
  const carol = await createUser(s.app, { username: 'carol' })
  const post = await createPost(s.app, alice, 'Hello <b>world</b>', 'The *body*.')
  const postUrl = `/blog/posts/${post.id}`

  /** Waits until the server holds a socket of this user subscribed to the post's topic. */
  async function following(userId: number) {
    for (let i = 0; i < 100; i++) {
      if ([...(s.app.hub.users.get(userId) ?? [])].some((c) => c.topics.has(`post:${post.id}`))) return true
      await new Promise((r) => setTimeout(r, 50))
    }
    return false
  }

  const a = await loginPage(browser, s, alice, { next: '/notifications' })
  const c = await loginPage(browser, s, carol, { next: postUrl })
  const b = await loginPage(browser, s, bob, { next: postUrl })
  const dialogs: string[] = []
  for (const page of [a.page, b.page, c.page]) page.on('dialog', (d) => (dialogs.push(d.message()), void d.accept()))
  t.ok(await following(carol.id), "C's page joined post:<id>")
  t.ok(await following(bob.id), "B's page joined post:<id>")
  const marker = (page: Page) => page.evaluate(() => ((window as any).__noReload = true))
  const stillSamePage = (page: Page) => page.evaluate(() => (window as any).__noReload === true)
  for (const page of [a.page, b.page, c.page]) await marker(page)
  t.equal(await c.page.locator('h1.post-title').textContent(), 'Hello <b>world</b>', 'the title shows as text')

  // B comments through the htmx form.
  const text = `Great post! ${XSS}`
  await b.page.fill(`#comment-body-${post.id}`, text)
  await b.page.click(`#comment-form-${post.id} button[type=submit]`)
  const bobsComment = b.page.locator(`#comment-list-${post.id} > li.comment`)
  await bobsComment.first().waitFor()
  const cid = Number((await bobsComment.first().getAttribute('id'))!.replace('comment-', ''))
  t.equal(await b.page.inputValue(`#comment-body-${post.id}`), '', "B's form was cleared")

  // A, on the notifications page: a toast, the badge, a row linking to the comment.
  const toast = a.page.locator('#toasts .toast').first()
  await toast.waitFor()
  t.equal(await toast.locator('.toast-message').textContent(), 'bob commented on "Hello <b>world</b>"')
  t.equal(await toast.locator('.toast-link').getAttribute('href'), `${postUrl}#comment-${cid}`)
  t.equal(await toast.locator('.toast-link').textContent(), 'View comment')
  await a.page.waitForFunction(() => document.getElementById('notif-badge')?.dataset.count === '1')
  t.equal(await badgeCount(a.page), 1, "A's badge went up")

  // C, viewing the post: the comment appears, with the count, and no delete button.
  const carolsView = c.page.locator(`#comment-${cid}`)
  await carolsView.waitFor()
  t.equal(await carolsView.locator('.comment-body').textContent(), text, 'the comment shows as text')
  t.equal(await carolsView.locator('form').count(), 0, 'C cannot delete B\'s comment')
  await c.page.waitForFunction((id) => document.getElementById(`comment-count-${id}`)?.textContent === '1 comment', post.id)
  t.equal(await c.page.locator(`#comments-empty-${post.id}`).count(), 0, 'the empty-state line went away')
  t.equal(await c.page.locator('img').count(), 0, 'no <img> was injected')

  // B: the htmx response and the push both carry it, and it is there once.
  await waitForFrame(b.page, 'topic_event', { event: 'comment_added' })
  await b.page.waitForTimeout(200)
  t.equal(await b.page.locator(`[id="comment-${cid}"]`).count(), 1, "B's page shows the comment once")
  t.equal(await b.page.locator(`#comment-${cid} form`).count(), 1, 'with a delete button for B')

  // Whatever the order, a second copy changes nothing: swap the pushed fragment
  // again the way hx-ws does, on both pages.
  for (const page of [b.page, c.page]) {
    await page.evaluate(async () => {
      const frame = (window as any).__frames.find((f: any) => f.type === 'topic_event' && f.event === 'comment_added')
      const live = document.getElementById('live')!
      await (window as any).htmx.swap({ sourceElement: live, target: live, swap: 'none swapEmpty:false', text: frame.content, transition: false })
    })
    t.equal(await page.locator(`#comment-list-${post.id} > li`).count(), 1, 'still one comment after a replayed push')
  }

  // C likes: C's button and count change at once, B's count follows live, A gets a like toast.
  await c.page.click(`#like-${post.id} button`)
  await c.page.waitForFunction((id) => document.querySelector(`#like-${id} button`)?.getAttribute('aria-pressed') === 'true', post.id)
  t.equal(await c.page.locator(`#like-count-${post.id}`).textContent(), '1 like')
  await b.page.waitForFunction((id) => document.getElementById(`like-count-${id}`)?.textContent === '1 like', post.id)
  await a.page.locator('#toasts .toast', { hasText: 'carol liked' }).first().waitFor()
  t.pass('the like count reached B and the like notification reached A')

  // B deletes the comment: it goes from C's page too.
  await b.page.click(`#comment-${cid} form button`)
  await c.page.locator(`#comment-${cid}`).waitFor({ state: 'detached' })
  await b.page.locator(`#comment-${cid}`).waitFor({ state: 'detached' })
  await c.page.waitForFunction((id) => document.getElementById(`comment-count-${id}`)?.textContent === '0 comments', post.id)
  t.pass('the deleted comment left every page')

  for (const page of [a.page, b.page, c.page]) t.ok(await stillSamePage(page), 'no page reloaded')
  t.same(dialogs.filter((d) => !d.startsWith('Delete')), [], 'no script ran from user text')
  t.same(
    (await framesOf(a.page)).filter((f) => f.type === 'topic_event'),
    [],
    'A (not on the post) got no thread events',
  )
})
