/**
 * The HTML fragments that ride along with pushed frames (`content`), rendered from
 * the same partials the pages use. Domains add renderers for their frame types.
 */
import type { Eta } from 'eta'
import { randomUUID } from 'node:crypto'
import type { Counts, NotificationDTO, ServerFrame, TopicFrame } from '../protocol.js'

/** Stands for a notification id while its HTML is rendered once for many users; nothing else can contain it. */
const ID_PLACEHOLDER = `\u0000${randomUUID()}\u0000`

export type ContentRenderer<F extends ServerFrame = ServerFrame> = (frame: F, userId: number) => string | undefined

export class PushContent {
  private readonly renderers = new Map<string, ContentRenderer>()

  constructor(private readonly views: Eta) {
    // Badges depend on the two counts only: rendered once per pair, then reused.
    const badgeCache = new Map<string, string>()
    const badges = (frame: Counts) => {
      const key = `${frame.unread_count}:${frame.unread_messages_count}`
      let html = badgeCache.get(key)
      if (html === undefined) {
        if (badgeCache.size >= 512) badgeCache.clear()
        html = this.partial('partials/badges', { counts: frame, oob: true })
        badgeCache.set(key, html)
      }
      return html
    }
    // A fan-out sends one notification to many users, differing only in id: the
    // toast and row are rendered once with a placeholder id, then the id is put in.
    let shared: { key: string; parts: string[] } | null = null
    const toastAndRow = (n: NotificationDTO) => {
      const key = JSON.stringify({ ...n, id: 0 })
      if (shared?.key !== key) {
        const placeholder = { ...n, id: ID_PLACEHOLDER as unknown as number }
        const html =
          this.partial('partials/toast-oob', { n: placeholder }) +
          this.partial('partials/notification-row', { n: placeholder, oob: 'afterbegin:#notification-list[data-live=prepend]' })
        shared = { key, parts: html.split(ID_PLACEHOLDER) }
      }
      return shared.parts.join(String(n.id))
    }
    this.on('initial', badges)
    this.on('count_update', badges)
    this.on('notification', (frame) => toastAndRow(frame.notification) + badges(frame))
  }

  on<T extends ServerFrame['type']>(type: T, renderer: ContentRenderer<Extract<ServerFrame, { type: T }>>): void {
    this.renderers.set(type, renderer as ContentRenderer)
  }

  /** Renderer for `topic_event` frames of one event name (e.g. 'comment_added'). */
  onTopicEvent(event: string, renderer: ContentRenderer<TopicFrame>): void {
    this.renderers.set(`topic_event:${event}`, renderer as ContentRenderer)
  }

  partial(name: string, data: object): string {
    return this.views.render(name, data)
  }

  render: ContentRenderer = (frame, userId) =>
    this.renderers.get(frame.type === 'topic_event' ? `topic_event:${frame.event}` : frame.type)?.(frame, userId)
}
