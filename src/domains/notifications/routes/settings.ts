/**
 * /settings/notifications: the signed-in user's preferences as a form (per kind in the
 * inbox / as a toast / as a desktop notification, quiet hours in a time zone, self-caused
 * notifications) and their mutes with Unmute. Bad input: field messages, nothing saved.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import Type from 'typebox'
import type { FieldErrors } from '../../../errors.js'
import { hasErrors } from '../../../errors.js'
import { NOTIFICATION_KINDS } from '../../../protocol.js'
import { redirectAfterPost } from '../../../web/forms.js'
import { currentUser, renderPage, requireUser } from '../../../web/http.js'
import { isTimeZone, type Channels } from '../inbox-rules.js'
import type { Preferences } from '../preferences.js'

const CHANNELS = ['inbox', 'toast', 'desktop'] as const
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/

/** Current names of zones the runtime's list still gives by their old name (ICU keeps Asia/Calcutta). */
const RENAMED: Record<string, string> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Europe/Kiev': 'Europe/Kyiv',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'America/Godthab': 'America/Nuuk',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Pacific/Enderbury': 'Pacific/Kanton',
}

/** Every zone the runtime knows, by its current name where it accepts that, for the select (UTC first). */
const TIME_ZONES = [
  'UTC',
  ...Intl.supportedValuesOf('timeZone')
    .map((z) => (RENAMED[z] && isTimeZone(RENAMED[z]) ? RENAMED[z] : z))
    .filter((z) => z !== 'UTC')
    .sort(),
]

/** The form as posted: checkboxes present when ticked ("<kind>.<channel>", quiet_on, self_caused). */
const SettingsForm = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 100 }), { maxProperties: 64 })
const ThreadParams = Type.Object({ thread: Type.String({ maxLength: 64 }) })

/** What the quiet-hours fields show: the stored hours, or what was typed. */
interface QuietValues {
  on: boolean
  start: string
  end: string
  time_zone: string
}

function quietValues(p: Preferences): QuietValues {
  const q = p.quiet_hours
  return q ? { on: true, start: q.start, end: q.end, time_zone: q.time_zone } : { on: false, start: '22:00', end: '07:00', time_zone: '' }
}

/** The form, checked: the preferences it asks for, or field messages. */
export function readSettingsForm(body: Record<string, string>): { change: Required<Pick<Preferences, 'quiet_hours' | 'self_caused'>> & { kinds: Record<string, Channels> }; quiet: QuietValues; errors: FieldErrors } {
  const errors: FieldErrors = {}
  const kinds: Record<string, Channels> = {}
  for (const kind of NOTIFICATION_KINDS) {
    if (kind === 'system') continue // always on; its boxes are disabled
    kinds[kind] = { inbox: body[`${kind}.inbox`] !== undefined, toast: body[`${kind}.toast`] !== undefined, desktop: body[`${kind}.desktop`] !== undefined }
  }
  const quiet: QuietValues = { on: body.quiet_on !== undefined, start: (body.quiet_start ?? '').trim(), end: (body.quiet_end ?? '').trim(), time_zone: (body.time_zone ?? '').trim() }
  if (quiet.on) {
    if (!TIME.test(quiet.start)) errors.quiet_start = 'A time like 22:00.'
    if (!TIME.test(quiet.end)) errors.quiet_end = 'A time like 07:00.'
    else if (quiet.end === quiet.start) errors.quiet_end = 'Quiet hours must end at another time than they start.'
    if (!quiet.time_zone) errors.time_zone = 'Choose your time zone.'
    else if (!isTimeZone(quiet.time_zone)) errors.time_zone = `There is no time zone “${quiet.time_zone.slice(0, 64)}”: choose one from the list, like Asia/Kolkata.`
  }
  const quiet_hours = quiet.on ? { start: quiet.start, end: quiet.end, time_zone: quiet.time_zone } : null
  return { change: { kinds, quiet_hours, self_caused: body.self_caused !== undefined }, quiet, errors }
}

const settingsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { preferences, mutes } = app.notifications
  app.addHook('preHandler', requireUser)

  async function page(request: FastifyRequest, reply: FastifyReply, data: { prefs: Preferences; quiet: QuietValues; errors: FieldErrors; saved: boolean }) {
    const userId = currentUser(request).id
    return renderPage(request, reply, 'notifications/settings', {
      ...data,
      kinds: NOTIFICATION_KINDS,
      channels: CHANNELS,
      timeZones: TIME_ZONES,
      mutes: await mutes.described(userId),
    })
  }

  app.get('/settings/notifications', { schema: { querystring: Type.Object({ saved: Type.Optional(Type.String({ maxLength: 8 })) }) } }, async (request, reply) => {
    const prefs = await preferences.get(currentUser(request).id)
    return page(request, reply, { prefs, quiet: quietValues(prefs), errors: {}, saved: request.query.saved !== undefined })
  })

  app.post('/settings/notifications', { schema: { body: SettingsForm } }, async (request, reply) => {
    const userId = currentUser(request).id
    const { change, quiet, errors } = readSettingsForm(request.body)
    if (hasErrors(errors)) {
      reply.status(422)
      // What was ticked stays ticked; nothing is stored.
      const stored = await preferences.get(userId)
      return page(request, reply, { prefs: { ...stored, kinds: { ...stored.kinds, ...change.kinds }, self_caused: change.self_caused }, quiet, errors, saved: false })
    }
    await preferences.put(userId, change)
    return redirectAfterPost(request, reply, '/settings/notifications?saved=1')
  })

  // The form's Unmute buttons (the JSON API is DELETE /api/mutes/:thread).
  app.post('/settings/mutes/:thread/unmute', { schema: { params: ThreadParams } }, async (request, reply) => {
    await mutes.unmute(currentUser(request).id, request.params.thread)
    return redirectAfterPost(request, reply, '/settings/notifications#mutes')
  })
}

export default settingsRoutes
