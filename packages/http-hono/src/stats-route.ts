import type { MasterVideos } from '@mastervideo/core'
import type { Context } from 'hono'
import { z } from 'zod'
import { parseQuery } from './request-schemas.js'

/** The query of `GET /:projectId/master-videos/stats`: `since`, an ISO 8601 date or date-time. */
export const statsQuerySchema = z.strictObject({
  since: z
    .string()
    .max(64)
    .regex(/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/, 'an ISO 8601 date or date-time')
    .refine((value) => Number.isFinite(Date.parse(value)), 'not a real date')
    .optional(),
})

/**
 * `GET /:projectId/master-videos/stats[?since=<ISO date>]`: the project's
 * `mv.stats()` as JSON (`since` as an ISO string or `null`), never cached.
 * A repository without `stats` answers 501 `UNSUPPORTED` through the error table.
 *
 * @example
 * ```ts
 * app.get('/:projectId/master-videos/stats', (c) => statsResponse(c, mv, c.req.param('projectId')))
 * ```
 */
export async function statsResponse(c: Context, mv: MasterVideos, projectId: string): Promise<Response> {
  const query = parseQuery(c, statsQuerySchema)
  if (!query.ok) return query.response
  const since = query.data.since === undefined ? undefined : new Date(query.data.since)
  const stats = await mv.stats({ projectId, ...(since ? { since } : {}) })
  c.header('Cache-Control', 'no-store')
  return c.json(stats)
}
