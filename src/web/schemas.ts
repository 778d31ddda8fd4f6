/**
 * Schema pieces every domain's routes share, and the rule that numbers on the wire
 * are written in plain decimal. Routes declare their schemas through the TypeBox type
 * provider (`FastifyPluginAsyncTypebox`), so handlers get typed params, query and body.
 */
import type { FastifyInstance, FastifyRequest, FastifySchema, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import Type, { type TSchema } from 'typebox'
import { invalid } from '../errors.js'

/** A database id: a positive whole number JavaScript holds exactly. */
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })
export const IdParams = Type.Object({ id: Id })

/** `{"error", "message"}` (plus `fields` for a rejected form): every failed JSON answer. */
export const ErrorBody = Type.Object({
  error: Type.String(),
  message: Type.String(),
  fields: Type.Optional(Type.Record(Type.String(), Type.String())),
})

export const CountsBody = Type.Object({
  unread_count: Type.Integer(),
  unread_messages_count: Type.Integer(),
})

const WHOLE = /^-?\d{1,16}$/
const DECIMAL = /^-?\d{1,16}(\.\d{1,16})?$/

type Part = 'params' | 'querystring' | 'body'
interface NumericField {
  part: Part
  key: string
  whole: boolean
}

function numericFields(part: Part, schema: unknown): NumericField[] {
  const properties = (schema as { properties?: Record<string, TSchema & { type?: unknown; items?: { type?: unknown } }> } | undefined)?.properties
  if (!properties) return []
  const fields: NumericField[] = []
  for (const [key, prop] of Object.entries(properties)) {
    const type = prop.type === 'array' ? prop.items?.type : prop.type
    if (type === 'integer' || type === 'number') fields.push({ part, key, whole: type === 'integer' })
  }
  return fields
}

function valueOf(request: FastifyRequest, part: Part, key: string): unknown {
  const source = part === 'params' ? request.params : part === 'querystring' ? request.query : request.body
  return source && typeof source === 'object' ? (source as Record<string, unknown>)[key] : undefined
}

/**
 * Before validation coerces strings to numbers, refuses those that are not plain
 * decimal: `Infinity`, `1e400`, `0x15`, ` 5` all pass ajv's coercion (as Infinity or
 * 21), and a JSON body's `1e400` parses as Infinity. 400 `invalid` instead.
 */
export const strictNumbers = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRoute', (route: RouteOptions) => {
      const schema = route.schema as FastifySchema | undefined
      if (!schema) return
      const fields = [
        ...numericFields('params', schema.params),
        ...numericFields('querystring', schema.querystring),
        ...numericFields('body', schema.body),
      ]
      if (fields.length === 0) return
      const check = async (request: FastifyRequest) => {
        for (const { part, key, whole } of fields) {
          const value = valueOf(request, part, key)
          for (const v of Array.isArray(value) ? value : [value]) {
            const bad = typeof v === 'number' ? !Number.isFinite(v) : typeof v === 'string' && !(whole ? WHOLE : DECIMAL).test(v)
            if (bad) throw invalid(`${part}/${key} must be a ${whole ? 'whole' : 'decimal'} number written in digits`)
          }
        }
      }
      const existing = route.preValidation
      route.preValidation = existing ? [...(Array.isArray(existing) ? existing : [existing]), check] : [check]
    })
  },
  { name: 'strict-numbers' },
)

/** A user as every JSON answer shows one (PublicUser). */
export const PublicUserBody = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
})
