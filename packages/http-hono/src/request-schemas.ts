import { LIMITS, STATUSES, X264_PRESETS } from '@mastervideo/core'
import { validator } from 'hono/validator'
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

/** The body of `POST /:projectId/master-videos`. */
export const createBodySchema = z.strictObject({
  name: z.string().min(1).max(LIMITS.maxNameLength),
  shots: z.array(shotSchema).min(1).max(LIMITS.maxShots),
  encoding: z
    .strictObject({
      strategy: z.enum(['auto', 'copy', 'reencode']).optional(),
      preset: z.enum(X264_PRESETS).optional(),
      crf: z.number().int().min(0).max(51).optional(),
      width: z.number().int().positive().optional(),
      height: z.number().int().positive().optional(),
      fps: z.number().positive().optional(),
    })
    .optional(),
  maxAttempts: z.number().int().min(1).max(LIMITS.maxAttempts).optional(),
})

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
  return `[mastervideo/http] invalid ${where}: ${lines.join('; ')}${more}`
}

/**
 * Hono's validator with a zod schema and this package's 400 body. The body
 * target also requires a JSON content type (Hono's validator would otherwise
 * validate an empty object and blame missing fields).
 */
export function validate<T extends 'json' | 'query', S extends ZodType>(target: T, schema: S) {
  return validator(target, (value, c): z.output<S> | Response => {
    const mediaType = c.req.header('content-type')?.split(';')[0]?.trim() ?? ''
    if (target === 'json' && !JSON_TYPE.test(mediaType)) {
      return errorResponse(
        'VALIDATION',
        '[mastervideo/http] the body must be JSON (Content-Type: application/json)',
      )
    }
    const parsed = schema.safeParse(value)
    if (!parsed.success)
      return errorResponse('VALIDATION', describeIssues(parsed.error, target === 'json' ? 'body' : 'query'))
    return parsed.data
  })
}
