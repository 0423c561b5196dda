import type { MasterVideos, OutboxDelivery } from '@mastervideo/core'
import type { Context } from 'hono'
import { z } from 'zod'
import { errorResponse } from './errors.js'
import { parseQuery } from './request-schemas.js'
import type { RouteAction } from './route-guard.js'

/** The query of `GET /:projectId/master-videos/webhooks`. */
const listSchema = z.strictObject({
  status: z.enum(['pending', 'delivered', 'dead']).optional(),
  endpoint: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
})

/** The query of `POST /:projectId/master-videos/webhooks/:eventId/retry`. */
const retrySchema = z.strictObject({ endpoint: z.string().min(1).max(200).optional() })

/** A delivery as the API shows it: everything but the body (the job's JSON, which `GET .../:id` serves). */
function deliveryJson({ body: _body, ...delivery }: OutboxDelivery) {
  return delivery
}

/** A row of the route table (the shape `masterVideoRoutes` spreads in). */
interface WebhookRoute {
  method: 'GET' | 'POST'
  path: string
  action: RouteAction
  handle(c: Context): Promise<Response>
}

/**
 * The webhook outbox's routes, guarded as action `webhooks`:
 * `GET /:projectId/master-videos/webhooks[?status=dead&endpoint=&limit=]`
 * lists the project's deliveries (dead ones by default), newest first;
 * `POST /:projectId/master-videos/webhooks/:eventId/retry[?endpoint=]` sends
 * a dead delivery again (pending, attempts reset) and answers
 * `{ retried: n }`, or 404 when the project has no dead delivery of that
 * event. Both answer 501 `UNSUPPORTED` when the repository keeps no outbox.
 * They must precede the `/:id` routes in the table.
 *
 * @example
 * ```ts
 * // in the route table of masterVideoRoutes:
 * // ...webhookRoutes(mv, '/:projectId/master-videos'),
 * ```
 */
export function webhookRoutes(mv: Pick<MasterVideos, 'repository'>, list: string): WebhookRoute[] {
  const projectOf = (c: Context) => c.req.param('projectId') as string
  const unsupported = () => errorResponse('UNSUPPORTED', 'This repository keeps no webhook outbox')
  return [
    {
      method: 'GET',
      path: `${list}/webhooks`,
      action: 'webhooks',
      async handle(c) {
        const outbox = mv.repository.outbox
        if (!outbox) return unsupported()
        const query = parseQuery(c, listSchema)
        if (!query.ok) return query.response
        const items = await outbox.list({ status: 'dead', ...query.data, projectId: projectOf(c) })
        c.header('Cache-Control', 'no-store')
        return c.json({ items: items.map(deliveryJson) })
      },
    },
    {
      method: 'POST',
      path: `${list}/webhooks/:eventId/retry`,
      action: 'webhooks',
      async handle(c) {
        const outbox = mv.repository.outbox
        if (!outbox) return unsupported()
        const query = parseQuery(c, retrySchema)
        if (!query.ok) return query.response
        const eventId = c.req.param('eventId') as string
        const retried = await outbox.retry(eventId, { ...query.data, projectId: projectOf(c) })
        if (retried === 0) return errorResponse('NOT_FOUND', 'No dead webhook delivery with that id')
        c.header('Cache-Control', 'no-store')
        return c.json({ retried })
      },
    },
  ]
}
