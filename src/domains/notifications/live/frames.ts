/** The notifications' client frames: get_count, mark_read, mark_all_read. */
import type { FrameRouter } from '../../../realtime/frames.js'
import type { NotificationService } from '../service.js'

export function registerFrames(frames: FrameRouter, service: NotificationService): void {
  frames.on('get_count', (_frame, ctx) => ctx.reply({ type: 'count_update', ...service.counts(ctx.client.userId) }))
  // Both publish a count_update to every socket of the user (this one included).
  frames.on('mark_read', (frame, ctx) => void service.markRead(ctx.client.userId, frame.id))
  frames.on('mark_all_read', (_frame, ctx) => void service.markAllRead(ctx.client.userId))
}
