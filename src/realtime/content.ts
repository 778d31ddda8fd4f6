/**
 * The HTML fragments that ride along with pushed frames (`content`), rendered from
 * the same partials the pages use. Domains register a renderer per frame type.
 */
import type { ServerFrame, TopicFrame } from '../protocol.js'

/** A fragment that needs the database (a row with this user's unread count) is a promise. */
export type ContentRenderer<F extends ServerFrame = ServerFrame> = (frame: F, userId: number) => string | undefined | Promise<string | undefined>

export class PushContent {
  private readonly renderers = new Map<string, ContentRenderer>()

  /** `renderPartial`: the page templates (one template per fragment, pages and pushes alike). */
  constructor(private readonly renderPartial: (name: string, data: object) => string) {}

  on<T extends ServerFrame['type']>(type: T, renderer: ContentRenderer<Extract<ServerFrame, { type: T }>>): void {
    this.renderers.set(type, renderer as ContentRenderer)
  }

  /** Renderer for `topic_event` frames of one event name (e.g. 'comment_added'). */
  onTopicEvent(event: string, renderer: ContentRenderer<TopicFrame>): void {
    this.renderers.set(`topic_event:${event}`, renderer as ContentRenderer)
  }

  partial(name: string, data: object): string {
    return this.renderPartial(name, data)
  }

  render: ContentRenderer = (frame, userId) =>
    this.renderers.get(frame.type === 'topic_event' ? `topic_event:${frame.event}` : frame.type)?.(frame, userId)
}
