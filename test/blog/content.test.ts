import t from 'tap'
import { checkComment, checkPost, commentMessage, excerpt, likeMessage, renderMarkdown } from '../../src/domains/blog/content.js'

t.test('like and comment messages', async (t) => {
  t.equal(likeMessage('bob', 1, 'Hello'), 'bob liked "Hello"')
  t.equal(likeMessage('bob', 2, 'Hello'), 'bob and 1 other liked "Hello"')
  t.equal(likeMessage('bob', 4, 'Hello'), 'bob and 3 others liked "Hello"')
  t.equal(commentMessage('bob', 'Hello'), 'bob commented on "Hello"')
  t.equal(commentMessage('bob', 'x'.repeat(100)), `bob commented on "${'x'.repeat(59)}…"`, 'long titles are cut')
})

t.test('post and comment validation', async (t) => {
  // A rejected input is a 422 `invalid` DomainError carrying a message per field.
  const rejects = (fn: () => unknown, fields: Record<string, string>, what: string) =>
    t.throws(fn, { name: 'DomainError', kind: 'unprocessable', code: 'invalid', fields }, what)
  t.same(checkPost({ title: '  Hi ', body: ' text \r\n' }), { title: 'Hi', body: 'text' })
  rejects(() => checkPost({}), { title: 'A title is required.', body: 'Write something in the body.' }, 'empty post')
  rejects(() => checkPost({ title: 'x'.repeat(201), body: 'y' }), { title: 'At most 200 characters.' }, 'long title')
  rejects(() => checkPost({ title: 'x', body: 'y'.repeat(20_001) }), { body: 'At most 20000 characters.' }, 'long body')
  rejects(() => checkComment({ body: '  ' }), { body: 'Write a comment first.' }, 'empty comment')
  t.equal(checkComment({ body: ' ok ' }), 'ok')
  rejects(() => checkComment({ body: 'z'.repeat(2001) }), { body: 'At most 2000 characters.' }, 'long comment')
})

t.test('Markdown: formatting yes, raw HTML and script URLs no', async (t) => {
  t.equal(renderMarkdown('**b** _i_ `c`'), '<p><strong>b</strong> <em>i</em> <code>c</code></p>\n')
  t.equal(renderMarkdown('<script>alert(1)</script>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n')
  t.notMatch(renderMarkdown('[x](javascript:alert(1))'), /href=/)
  t.notMatch(renderMarkdown('[x](JaVaScRiPt:alert(1))'), /href=/)
  t.notMatch(renderMarkdown('[x](vbscript:msgbox)'), /href=/)
  t.notMatch(renderMarkdown('<a href="javascript:alert(1)">x</a>'), /<a /)
  t.notMatch(renderMarkdown('![x](x" onerror="alert(1))'), /onerror="/)
  t.equal(renderMarkdown('https://example.com'), '<p><a href="https://example.com" rel="nofollow noopener ugc">https://example.com</a></p>\n')
  t.equal(excerpt('# Title\n\nSome **bold** [link](https://x.y).'), 'Title Some bold link.')
  t.equal(excerpt('word '.repeat(100), 20), 'word word word word…')
})
