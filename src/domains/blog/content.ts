/**
 * The blog's pure rules: what a valid post or comment is, how a body is rendered,
 * and how notifications about a post read. No database, no HTTP.
 */
import MarkdownIt from 'markdown-it'
import { hasErrors, invalid, type FieldErrors } from '../../errors.js'

export const TITLE_MAX = 200
export const BODY_MAX = 20_000
export const COMMENT_MAX = 2_000

export interface PostFields {
  title: string
  body: string
}

const normalise = (text: unknown) => (typeof text === 'string' ? text.replace(/\r\n/g, '\n').trim() : '')

/** Trims and checks a post's fields: the post, or 422 `invalid` with a message per field. */
export function checkPost(input: { title?: unknown; body?: unknown }): PostFields {
  const title = normalise(input.title)
  const body = normalise(input.body)
  const errors: FieldErrors = {}
  if (!title) errors.title = 'A title is required.'
  else if (title.length > TITLE_MAX) errors.title = `At most ${TITLE_MAX} characters.`
  if (!body) errors.body = 'Write something in the body.'
  else if (body.length > BODY_MAX) errors.body = `At most ${BODY_MAX} characters.`
  if (hasErrors(errors)) throw invalid(errors, { status: 422 })
  return { title, body }
}

/** A comment's trimmed text, or 422 `invalid` naming the body. */
export function checkComment(input: { body?: unknown }): string {
  const body = normalise(input.body)
  if (!body) throw invalid({ body: 'Write a comment first.' }, { status: 422 })
  if (body.length > COMMENT_MAX) throw invalid({ body: `At most ${COMMENT_MAX} characters.` }, { status: 422 })
  return body
}

/**
 * Markdown with raw HTML switched off: `<script>` in a body is shown as text.
 * markdown-it's link check refuses javascript:, vbscript:, file: and data:
 * (except some images) URLs; links get rel="nofollow noopener ugc".
 */
const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false })
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options))
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'nofollow noopener ugc')
  return defaultLinkOpen(tokens, idx, options, env, self)
}

export function renderMarkdown(source: string): string {
  return md.render(source)
}

/** The words of a Markdown body without its markup (for excerpts; escaped by the view). */
export function plainText(source: string): string {
  const words: string[] = []
  for (const token of md.parse(source, {})) {
    if (token.type === 'fence' || token.type === 'code_block') words.push(token.content)
    for (const child of token.children ?? []) {
      if (child.type === 'text' || child.type === 'code_inline') words.push(child.content)
      else if (child.type === 'softbreak' || child.type === 'hardbreak') words.push(' ')
    }
    if (token.type.endsWith('_close')) words.push(' ')
  }
  return words.join('')
}

/** A plain-text excerpt for lists. */
export function excerpt(source: string, max = 220): string {
  const flat = plainText(source).replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat
}

/** A title as it appears inside a notification message. */
export function quoteTitle(title: string, max = 60): string {
  const t = title.length > max ? `${title.slice(0, max - 1).trimEnd()}…` : title
  return `"${t}"`
}

export function commentMessage(commenter: string, title: string): string {
  return `${commenter} commented on ${quoteTitle(title)}`
}

/** "bob liked", "bob and 1 other liked", "bob and 9 others liked" ... "Hello". */
export function likeMessage(latestLiker: string, likers: number, title: string): string {
  const others = Math.max(0, likers - 1)
  const who = others === 0 ? latestLiker : `${latestLiker} and ${others} other${others === 1 ? '' : 's'}`
  return `${who} liked ${quoteTitle(title)}`
}

export const likeGroupKey = (postId: number) => `like:post:${postId}`
export const postPath = (postId: number) => `/blog/posts/${postId}`
export const commentPath = (postId: number, commentId: number) => `/blog/posts/${postId}#comment-${commentId}`

/** A post as the API and the pages show it: the Markdown body also rendered (raw HTML escaped). */
export function withHtml<P extends { body: string }>(post: P): P & { body_html: string } {
  return { ...post, body_html: renderMarkdown(post.body) }
}
