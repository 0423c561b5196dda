import { CONCAT_STRATEGIES, LIMITS, STATUSES, X264_PRESETS } from '@mastervideo/core'
import type { Context } from 'hono'
import { type ZodType, z } from 'zod'
import { errorResponse } from './errors.js'

// Schemas reject unknown keys: a typo (`shot` for `shots`, `crf` at the top
// level) is a 400 that names it, not a silently ignored field. Core checks
// the values again when the job is created; these give the HTTP client the
// field path and a message in one response.

const shotSchema = z.union([
  z.string().min(1).max(LIMITS.maxAssetIdLength),
  z.strictObject({
    assetId: z.string().min(1).max(LIMITS.maxAssetIdLength),
    trimStart: z.number().finite().nonnegative().optional(),
    trimEnd: z.number().finite().nonnegative().optional(),
  }),
])

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i

/** One rendition a job asks for (`{ name: '720p', height: 720, crf?: 26 }`); core checks the rest. */
const renditionsSchema = z
  .array(
    z.strictObject({
      name: z
        .string()
        .min(1)
        .max(LIMITS.maxRenditionNameLength)
        .regex(/^[a-z0-9_-]+$/, 'use a-z, 0-9, _ and -'),
      height: z.number().int().min(LIMITS.minRenditionHeight).max(LIMITS.maxRenditionHeight),
      crf: z.number().int().min(0).max(51).optional(),
    }),
  )
  .max(LIMITS.maxRenditions)

/** `true`, `false`, or `{ segmentSec }`. */
const hlsSchema = z.union([
  z.boolean(),
  z.strictObject({
    segmentSec: z.number().min(LIMITS.minSegmentSec).max(LIMITS.maxSegmentSec).optional(),
  }),
])

/** Encoding options, as a create or a retry sends them. */
const encodingSchema = z.strictObject({
  strategy: z.enum(CONCAT_STRATEGIES).optional(),
  preset: z.enum(X264_PRESETS).optional(),
  crf: z.number().int().min(0).max(51).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  fps: z.number().positive().optional(),
  renditions: renditionsSchema.optional(),
  hls: hlsSchema.optional(),
})

/** The body of `POST /:projectId/master-videos`. */
export const createBodySchema = z.strictObject({
  name: z.string().min(1).max(LIMITS.maxNameLength),
  shots: z.array(shotSchema).min(1).max(LIMITS.maxShots),
  encoding: encodingSchema.optional(),
  /** Shorthand for `encoding.renditions`, as `mv.create` takes it. */
  renditions: renditionsSchema.optional(),
  /** Shorthand for `encoding.hls`. */
  hls: hlsSchema.optional(),
  maxAttempts: z.number().int().min(1).max(LIMITS.maxAttempts).optional(),
})

/**
 * The optional body of `POST .../:id/retry`: encoding options laid over the
 * job's own for the new attempts (`{ "encoding": { "strategy": "reencode" } }`).
 */
export const retryBodySchema = z.strictObject({
  encoding: encodingSchema.optional(),
})

/**
 * The body of a request whose body is optional: no body at all is `{}`;
 * anything sent is checked as {@link parseJsonBody} does.
 *
 * @example
 * ```ts
 * const body = await parseOptionalJsonBody(c, retryBodySchema)
 * if (!body.ok) return body.response
 * ```
 */
export async function parseOptionalJsonBody<S extends ZodType>(
  c: Context,
  schema: S,
): Promise<Parsed<z.output<S>>> {
  // An empty body (no bytes at all) is the same as no body, however the client framed it.
  if (c.req.raw.body === null || (await c.req.text()) === '') return parsed(schema, {}, 'body')
  return parseJsonBody(c, schema)
}

/** The query of `GET /:projectId/master-videos`. */
export const listQuerySchema = z.strictObject({
  status: z.enum(STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(1000).optional(),
})

/** The `Idempotency-Key` header, when sent. */
export const idempotencyKeySchema = z.string().min(1).max(LIMITS.maxIdempotencyKeyLength).optional()

/** A readable one-line summary of what failed, with field paths. */
export function describeIssues(error: z.ZodError, where: string): string {
  const lines = error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.map(String).join('.')
    return field ? `${field}: ${issue.message}` : issue.message
  })
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : ''
  return `Invalid ${where}: ${lines.join('; ')}${more}`
}

/** What a request carried, parsed; or the 400 that says why it could not be. */
export type Parsed<T> = { ok: true; data: T } | { ok: false; response: Response }

function parsed<S extends ZodType>(schema: S, value: unknown, where: string): Parsed<z.output<S>> {
  const result = schema.safeParse(value)
  return result.success
    ? { ok: true, data: result.data }
    : { ok: false, response: errorResponse('VALIDATION', describeIssues(result.error, where)) }
}

/**
 * The request's JSON body, checked by `schema`. A body without a JSON
 * content type is refused as such (rather than read as `{}` and blamed for
 * missing fields), and so is malformed JSON.
 *
 * @example
 * ```ts
 * const body = await parseJsonBody(c, createBodySchema)
 * if (!body.ok) return body.response
 * ```
 */
export async function parseJsonBody<S extends ZodType>(c: Context, schema: S): Promise<Parsed<z.output<S>>> {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim() ?? ''
  if (!JSON_TYPE.test(mediaType)) {
    return {
      ok: false,
      response: errorResponse('VALIDATION', 'The body must be JSON (Content-Type: application/json)'),
    }
  }
  let value: unknown
  try {
    value = await c.req.json()
  } catch {
    return { ok: false, response: errorResponse('VALIDATION', 'Malformed JSON in request body') }
  }
  return parsed(schema, value, 'body')
}

/**
 * The request's query, checked by `schema`: a parameter given once is a
 * string, one given several times an array (which a string field refuses).
 *
 * @example
 * ```ts
 * const query = parseQuery(c, listQuerySchema)
 * if (!query.ok) return query.response
 * ```
 */
export function parseQuery<S extends ZodType>(c: Context, schema: S): Parsed<z.output<S>> {
  const value = Object.fromEntries(
    Object.entries(c.req.queries()).map(([name, all]) => [name, all.length === 1 ? all[0] : all]),
  )
  return parsed(schema, value, 'query')
}
