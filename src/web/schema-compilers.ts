/**
 * Route schemas compiled once per process, whatever the number of app instances.
 *
 * Fastify compiles every route's validators (Ajv) and response serializers
 * (fast-json-stringify) when an instance starts: about half of the ~200 ms an app takes
 * to build. The server builds one app, so this changes nothing there; the test suite
 * builds hundreds, from the same schemas. Fastify's own compilers are used
 * (its defaults); what is added is a cache in front of them, keyed by everything the
 * compiled function depends on: the schema itself, the shared schemas it may `$ref`, and
 * the compiler options. Compiled functions hold no per-instance state.
 *
 * One difference from Fastify's default: with a compiler factory of its own, Fastify
 * takes a `headers` schema as written instead of lowercasing its property names, so
 * header names in route schemas are written in lowercase (as Node hands them over).
 */
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler'
import type { FastifyServerOptions } from 'fastify'

type Factories = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>
type BuildValidator = NonNullable<Factories['buildValidator']>
type BuildSerializer = NonNullable<Factories['buildSerializer']>

const validators = new Map<string, unknown>()
const serializers = new Map<string, unknown>()
// One pool each, so that identical options and shared schemas reuse one Ajv instance.
const ajvPool = AjvCompiler()
const serializerPool = SerializerSelector()

/** Functions are dropped by JSON.stringify; Fastify's own pool keys Ajv instances the same way. */
const keyOf = (value: unknown) => JSON.stringify(value) ?? ''

/** `compile` behind `store`: one compiled function per schema in this context. */
function cachedIn<R extends { schema?: unknown }, F>(store: Map<string, unknown>, context: string, compile: (route: R) => F) {
  return (route: R): F => {
    const key = context + keyOf(route.schema)
    let fn = store.get(key) as F | undefined
    if (fn === undefined) store.set(key, (fn = compile(route)))
    return fn
  }
}

const contextOf = (externalSchemas: unknown, options: unknown) => `${keyOf(externalSchemas)}\n${keyOf(options)}\n`

const buildValidator: BuildValidator = (externalSchemas, options) =>
  cachedIn(validators, contextOf(externalSchemas, options), ajvPool(externalSchemas, options))

const buildSerializer: BuildSerializer = (externalSchemas, options) =>
  cachedIn(serializers, contextOf(externalSchemas, options), serializerPool(externalSchemas, options))

export const schemaController: FastifyServerOptions['schemaController'] = {
  compilersFactory: { buildValidator, buildSerializer },
}

/** How many distinct compiled functions this process holds (tests). */
export const compiledSchemas = () => ({ validators: validators.size, serializers: serializers.size })
