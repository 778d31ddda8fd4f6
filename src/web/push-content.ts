/**
 * The HTML fragments that ride along with pushed frames (`content`), rendered from
 * the same partials the pages use. Domains add renderers for their frame types.
 */
import type { Eta } from 'eta'
import type { Counts, ServerFrame, TopicFrame } from '../realtime/frames.js'

export type ContentRenderer<F extends ServerFrame = ServerFrame> = (frame: F, userId: number) => string | undefined

export class PushContent {
  private readonly renderers = new Map<string, ContentRenderer>()

  constructor(private readonly views: Eta) {
    const badges = (frame: Counts) => this.partial('partials/badges', { counts: frame, oob: true })
    this.on('initial', badges)
    this.on('count_update', badges)
    this.on('notification', (frame) =>
      [
        this.partial('partials/toast-oob', { n: frame.notification }),
        this.partial('partials/notification-row', { n: frame.notification, oob: 'afterbegin:#notification-list[data-live=prepend]' }),
        badges(frame),
      ].join(''),
    )
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
