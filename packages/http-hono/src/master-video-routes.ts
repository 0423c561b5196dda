import { type Logger, type MasterVideos, silentLogger } from '@mastervideo/core'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { errorResponse, invalidOption, toErrorResponse } from './errors.js'
import { type EventsOptions, eventsResponse } from './events-stream.js'
import { hlsFileResponse } from './hls-routes.js'
import { type Delivery, jobFileResponse, type OffloadOptions } from './job-files.js'
import { type JobLinks, jobLinks } from './job-links.js'
import { presignCache } from './presign-cache.js'
import { projectEventsResponse } from './project-events.js'
import { type RecordCacheOptions, serviceRecordCache } from './record-cache.js'
import { renditionFileResponse } from './rendition-routes.js'
import {
  createBodySchema,
  idempotencyKeySchema,
  listQuerySchema,
  parseJsonBody,
  parseOptionalJsonBody,
  parseQuery,
  retryBodySchema,
} from './request-schemas.js'
import { type AuthorizeFunction, FILE_KINDS, type RouteAction, routeGuard } from './route-guard.js'
import { urlSigner } from './signed-url.js'
import { statsResponse } from './stats-route.js'
import { webhookRoutes } from './webhook-routes.js'

/** Options of {@link masterVideoRoutes}. */
export interface MasterVideoRoutesOptions {
  /**
   * Called before every route. Without it, every route is public: anyone who
   * can reach the server can list, create, cancel, delete and download.
   */
  authorize?: AuthorizeFunction
  /** Serve the routes under this path (Hono's `basePath`), for hosts that do not mount them. */
  basePath?: string
  /** `Cache-Control` of the video, download and thumbnail. Default `private, no-cache` (revalidate; 304 is cheap). */
  cacheControl?: string
  /** Signs the file URLs in records (HMAC-SHA256); the routes accept them in place of `authorize`. At least 32 bytes. */
  signingSecret?: string | Uint8Array
  /** How long a signed URL works. Default 3600 s (a long video stays seekable while it plays). */
  urlTtlSec?: number
  /** Let a reverse proxy send the bytes after Node has authorized the request. */
  offload?: OffloadOptions
  /**
   * Where `/video` and `/download` bytes come from. `proxy` (default): through
   * Node, with byte ranges. `redirect`: after authorization (or a valid signed
   * URL), a 302 to a presigned URL of the store (`Cache-Control: private,
   * no-store`), so S3 or its CDN sends the bytes; the download's URL carries
   * the same `Content-Disposition`. A store without `presign` is proxied.
   */
  delivery?: Delivery
  /**
   * How long a presigned URL of `delivery: 'redirect'` works. Default 3600 s.
   * One URL per file serves every request for a tenth of this (at most 60 s),
   * so each is valid for at least 90% of it when the client gets it.
   */
  redirectTtlSec?: number
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number
  /** Most byte ranges honoured in one request; past it the whole file is sent. Default 8. */
  maxRanges?: number
  /** Timing of the server-sent events route. */
  events?: EventsOptions
  /** Where 5xx errors are logged (pino-shaped). Default silent. */
  logger?: Logger
  /**
   * Completed records the file routes (video, download, thumbnail, renditions,
   * HLS) keep in memory, so a player's burst of range requests skips the
   * repository. Default on, 2000 records each served for at most 2000 ms after
   * it was read; a delete through this service drops it at once. `false`
   * reads the repository on every request. Authorization runs on every request either way.
   */
  recordCache?: RecordCacheOptions | false
  /**
   * On `@hono/node-server`, write the file bodies of GETs (the whole file or
   * one range) straight to its Node response, skipping the web
   * `Response`/`ReadableStream` round trip. Headers host middleware sets before
   * the route are sent; headers it sets after `await next()` (e.g. `secureHeaders`)
   * are not, as the answer is out by then. Elsewhere (`app.request()`, Bun,
   * Deno) the routes answer as without it. Default `false`.
   */
  nodeFastPath?: boolean
}

// A typo (`'redirects'`) from an environment variable must not silently proxy.
function checkedDelivery(delivery: Delivery | undefined): Delivery {
  if (delivery === undefined || delivery === 'proxy' || delivery === 'redirect') return delivery ?? 'proxy'
  throw invalidOption(`delivery must be 'proxy' or 'redirect', not ${JSON.stringify(delivery)}`, {
    details: { field: 'delivery' },
  })
}

function checkedTtl(seconds: number | undefined): number | undefined {
  if (seconds === undefined || (Number.isInteger(seconds) && seconds > 0)) return seconds
  throw invalidOption('redirectTtlSec must be a positive integer', { details: { field: 'redirectTtlSec' } })
}

/** One row of the route table: what runs for a method and path, once the guard let it through. */
interface Route {
  method: 'GET' | 'POST' | 'DELETE'
  path: string
  action: RouteAction
  /** Middleware between the guard and the handler. */
  use?: MiddlewareHandler[]
  handle(c: Context, links: JobLinks): Promise<Response>
}

const LIST = '/:projectId/master-videos'
const JOB = `${LIST}/:id`

/**
 * A Hono app with the master-video routes. Mounted at `/api/projects`, its
 * paths are `POST|GET /:projectId/master-videos`,
 * `GET|DELETE /:projectId/master-videos/:id`, `POST .../:id/retry`,
 * `POST .../:id/cancel`, `GET|HEAD .../:id/video` (byte ranges),
 * `GET|HEAD .../:id/download`, `GET .../:id/thumbnail`, `GET .../:id/events`,
 * `GET|HEAD .../:id/renditions/:name/video|download`, `GET|HEAD .../:id/hls/master.m3u8`
 * and the ladder's other files (`.../:id/hls/:file`, or `.../:id/hls/<grant>/:file` signed),
 * `GET /:projectId/master-videos/events` (every job of the project on one stream)
 * and `GET /:projectId/master-videos/stats` (counts and timings, `?since=<ISO date>`).
 * The URLs in its answers start with the path the host mounted it under.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { masterVideoRoutes } from '@mastervideo/http-hono'
 *
 * const app = new Hono()
 * app.route('/api/projects', masterVideoRoutes(mv, {
 *   authorize: (c, { projectId }) => c.get('user')?.projects.includes(projectId) ?? false,
 * }))
 * ```
 */
export function masterVideoRoutes(mv: MasterVideos, options: MasterVideoRoutesOptions = {}): Hono {
  const logger = options.logger ?? silentLogger
  const signer = options.signingSecret ? urlSigner(options.signingSecret, options.urlTtlSec ?? 3600) : null
  const guard = routeGuard({ authorize: options.authorize, signer })
  const files = {
    cacheControl: options.cacheControl ?? 'private, no-cache',
    maxRanges: options.maxRanges ?? 8,
    offload: options.offload,
    delivery: checkedDelivery(options.delivery),
    redirectTtlSec: checkedTtl(options.redirectTtlSec),
    presignCache: presignCache(),
    nodeFastPath: options.nodeFastPath === true,
    logger,
  }

  const projectOf = (c: Context) => c.req.param('projectId') as string
  const idOf = (c: Context) => c.req.param('id') as string
  const scope = (c: Context) => ({ projectId: projectOf(c) })
  const job = (c: Context) => mv.get(idOf(c), scope(c))
  const records = options.recordCache === false ? null : serviceRecordCache(mv, options.recordCache)
  // The file routes' lookup: a completed record from memory (record-cache.ts), else the service.
  const fileJob = (c: Context) => (records ? records.get(idOf(c), projectOf(c), () => job(c)) : job(c))
  const json = (c: Context, body: unknown, status: 200 | 201 = 200) => {
    c.header('Cache-Control', 'no-store')
    return c.json(body, status)
  }

  const table: Route[] = [
    {
      method: 'POST',
      path: LIST,
      action: 'create',
      use: [
        bodyLimit({
          maxSize: options.maxBodyBytes ?? 1024 * 1024,
          onError: () => errorResponse('PAYLOAD_TOO_LARGE', 'Request body is too large'),
        }),
      ],
      async handle(c, links) {
        const body = await parseJsonBody(c, createBodySchema)
        if (!body.ok) return body.response
        const key = idempotencyKeySchema.safeParse(c.req.header('idempotency-key'))
        if (!key.success) return errorResponse('VALIDATION', 'Invalid Idempotency-Key header')
        const { record, created } = await mv.submit({
          ...body.data,
          projectId: projectOf(c),
          idempotencyKey: key.data ?? null,
        })
        c.header('Location', links.jobPath(record))
        // A repeated Idempotency-Key answers with the first job, as 200 rather than 201.
        if (!created) c.header('Idempotent-Replayed', 'true')
        return json(c, links.json(record), created ? 201 : 200)
      },
    },
    {
      method: 'GET',
      path: LIST,
      action: 'list',
      async handle(c, links) {
        const query = parseQuery(c, listQuerySchema)
        if (!query.ok) return query.response
        const page = await mv.list({ projectId: projectOf(c), ...query.data })
        return json(c, { items: page.items.map(links.json), nextCursor: page.nextCursor })
      },
    },
    // Before `:id`: the project's one stream, authorized as the list it keeps current.
    {
      method: 'GET',
      path: `${LIST}/events`,
      action: 'list',
      handle: async (c, links) =>
        c.req.method === 'HEAD'
          ? c.body(null, 200, { 'Content-Type': 'text/event-stream' })
          : projectEventsResponse(c, mv, projectOf(c), links.json, options.events ?? {}),
    },
    // Before `:id` too: the project's statistics, authorized as its list.
    {
      method: 'GET',
      path: `${LIST}/stats`,
      action: 'list',
      handle: (c) => statsResponse(c, mv, projectOf(c)),
    },
    ...webhookRoutes(mv, LIST),
    {
      method: 'GET',
      path: JOB,
      action: 'get',
      handle: async (c, links) => json(c, links.json(await job(c))),
    },
    {
      method: 'DELETE',
      path: JOB,
      action: 'delete',
      async handle(c, links) {
        const record = await mv.delete(idOf(c), scope(c))
        records?.drop(record.id)
        return json(c, links.json(record))
      },
    },
    ...(['retry', 'cancel'] as const).map(
      (verb): Route => ({
        method: 'POST',
        path: `${JOB}/${verb}`,
        action: verb,
        async handle(c, links) {
          if (verb === 'cancel') return json(c, links.json(await mv.cancel(idOf(c), scope(c))))
          // A retry may carry new encoding options, so it need not fail the same way again.
          const body = await parseOptionalJsonBody(c, retryBodySchema)
          if (!body.ok) return body.response
          return json(c, links.json(await mv.retry(idOf(c), scope(c), body.data)))
        },
      }),
    ),
    {
      method: 'GET',
      path: `${JOB}/events`,
      action: 'events',
      async handle(c, links) {
        const record = await job(c)
        // Hono answers HEAD with this handler: never start a stream nobody reads.
        if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream' })
        return eventsResponse(c, mv, record, links.json, options.events ?? {})
      },
    },
    // Hono answers HEAD with the GET handler and drops the body; the handler
    // sees the HEAD method and never opens the file.
    ...FILE_KINDS.map(
      (kind): Route => ({
        method: 'GET',
        path: `${JOB}/${kind}`,
        action: kind,
        handle: async (c) => jobFileResponse(c, mv.output, await fileJob(c), kind, files),
      }),
    ),
    // A rendition's files answer as the master's; the ladder's as hls-routes.ts describes.
    ...(['video', 'download'] as const).map(
      (kind): Route => ({
        method: 'GET',
        path: `${JOB}/renditions/:name/${kind}`,
        action: `rendition-${kind}`,
        handle: async (c) =>
          renditionFileResponse(c, mv.output, await fileJob(c), c.req.param('name') as string, kind, files),
      }),
    ),
    // Signed, the ladder's URLs carry a grant segment before the file name (hls-grant.ts).
    ...[`${JOB}/hls/:file`, `${JOB}/hls/:grant/:file`].map(
      (path): Route => ({
        method: 'GET',
        path,
        action: 'hls',
        handle: async (c) =>
          hlsFileResponse(c, mv.output, await fileJob(c), c.req.param('file') as string, files),
      }),
    ),
  ]

  const app = new Hono()
  app.onError((error) => toErrorResponse(error, logger))
  const routes = options.basePath ? app.basePath(options.basePath) : app
  for (const route of table) {
    const linksOf = jobLinks(route.path, signer)
    routes.on(route.method, route.path, guard(route.action), ...(route.use ?? []), (c) =>
      route.handle(c, linksOf(c.req.url)),
    )
  }
  return app
}
