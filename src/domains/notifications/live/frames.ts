/** The notifications' client frames: get_count, mark_read, mark_all_read, archive, unarchive, snooze, unsnooze. */
import type { FrameRouter } from '../../../realtime/frames.js'
import { parseInstant } from '../inbox-rules.js'
import type { NotificationService } from '../service.js'

export function registerFrames(frames: FrameRouter, service: NotificationService): void {
  frames.on('get_count', async (_frame, ctx) => ctx.reply({ type: 'count_update', ...await service.counts(ctx.client.userId) }))
  // Both publish a count_update to every socket of the user (this one included).
  frames.on('mark_read', async (frame, ctx) => {
    await service.markRead(ctx.client.userId, frame.id)
  })
  frames.on('mark_all_read', async (_frame, ctx) => {
    await service.markAllRead(ctx.client.userId)
  })
  // Each publishes notification_state to every socket of the user.
  frames.on('archive', async (frame, ctx) => {
    await service.archive(ctx.client.userId, frame.id)
  })
  frames.on('unarchive', async (frame, ctx) => {
    await service.unarchive(ctx.client.userId, frame.id)
  })
  frames.on('snooze', async (frame, ctx) => {
    await service.snooze(ctx.client.userId, frame.id, parseInstant(frame.until))
  })
  frames.on('unsnooze', async (frame, ctx) => {
    await service.unsnooze(ctx.client.userId, frame.id)
  })
}
