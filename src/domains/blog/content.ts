/**
 * The blog's pure rules: what a valid post or comment is, how a body is rendered,
 * and how notifications about a post read. No database, no HTTP.
 */
import MarkdownIt from 'markdown-it'
import type { FieldErrors } from '../../errors.js'

export const TITLE_MAX = 200
export const BODY_MAX = 20_000
export const COMMENT_MAX = 2_000

export interface PostFields {
  title: string
  body: string
}

/** Trims and checks a post's fields; errors are keyed by field name. */
export function validatePost(input: { title?: unknown; body?: unknown }): { post: PostFields } | { errors: FieldErrors } {
  const title = typeof input.title === 'string' ? input.title.trim() : ''
  const body = typeof input.body === 'string' ? input.body.replace(/\r\n/g, '\n').trim() : ''
  const errors: FieldErrors = {}
  if (!title) errors.title = 'A title is required.'
  else if (title.length > TITLE_MAX) errors.title = `At most ${TITLE_MAX} characters.`
  if (!body) errors.body = 'Write something in the body.'
  else if (body.length > BODY_MAX) errors.body = `At most ${BODY_MAX} characters.`
  return Object.keys(errors).length ? { errors } : { post: { title, body } }
}

export function validateComment(input: { body?: unknown }): { body: string } | { errors: FieldErrors } {
  const body = typeof input.body === 'string' ? input.body.replace(/\r\n/g, '\n').trim() : ''
  if (!body) return { errors: { body: 'Write a comment first.' } }
  if (body.length > COMMENT_MAX) return { errors: { body: `At most ${COMMENT_MAX} characters.` } }
  return { body }
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
