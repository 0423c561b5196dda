import { type Logger, type MasterVideo, type MasterVideos, silentLogger } from '@mastervideo/core'
import { type Context, Hono, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { contentDisposition } from './content-disposition.js'
import { errorResponse, notReadyResponse, toErrorResponse } from './errors.js'
import { type EventsOptions, eventsResponse } from './events-stream.js'
import { fileResponse } from './file-response.js'
import { recordJson } from './record-json.js'
import { createBodySchema, idempotencyKeySchema, listQuerySchema, validate } from './request-schemas.js'
import { type SignedKind, urlSigner } from './signed-url.js'

/** What a request wants to do; `authorize` receives it. */
export type RouteAction =
  | 'create'
  | 'list'
  | 'get'
  | 'delete'
  | 'retry'
  | 'cancel'
  | 'video'
  | 'download'
  | 'thumbnail'
  | 'events'

/** The second argument of {@link AuthorizeFunction}. */
export interface AuthorizeTarget {
  action: RouteAction
  projectId: string
  /** The job id; absent for `create` and `list`. */
  id?: string
}

/**
 * Decides whether a request may proceed. Return `true` to allow; `false` (or
 * anything but `true`) answers 403 `{ error, code: 'FORBIDDEN' }`; a `Response`
 * is sent as is (a 401 with your own `WWW-Authenticate`, a redirect to login).
 */
export type AuthorizeFunction = (
  c: Context,
  target: AuthorizeTarget,
) => boolean | Response | Promise<boolean | Response>

/** Hands a completed file's bytes to the reverse proxy in front (nginx's `X-Accel-Redirect`). */
export interface OffloadOptions {
  /** Default `X-Accel-Redirect`. */
  header?: string
  /** Prepended to the output key: the proxy's internal location, e.g. `/_mastervideo/`. */
  prefix: string
}

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
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number
  /** Most byte ranges honoured in one request; past it the whole file is sent. Default 8. */
  maxRanges?: number
  /** Timing of the server-sent events route. */
  events?: EventsOptions
  /** Where 5xx errors are logged (pino-shaped). Default silent. */
  logger?: Logger
}

const JOB = '/:projectId/master-videos/:id'
const FILE_KINDS: readonly RouteAction[] = ['video', 'download', 'thumbnail']

/** The URL path that the last `depth` path segments of this request were matched under. */
function prefixOf(c: Context, depth: number): string {
  const path = new URL(c.req.url).pathname
  return path.split('/').slice(0, -depth).join('/')
}

/**
 * A Hono app with the master-video routes. Mounted at `/api/projects`, its
 * paths are the original system's: `POST|GET /:projectId/master-videos`,
 * `GET|DELETE /:projectId/master-videos/:id`, `POST .../:id/retry`,
 * `POST .../:id/cancel`, `GET|HEAD .../:id/video` (byte ranges),
 * `GET|HEAD .../:id/download`, `GET .../:id/thumbnail`, `GET .../:id/events`.
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
  const { authorize, offload } = options
  const logger = options.logger ?? silentLogger
  const cacheControl = options.cacheControl ?? 'private, no-cache'
  const maxRanges = options.maxRanges ?? 8
  const signer = options.signingSecret ? urlSigner(options.signingSecret, options.urlTtlSec ?? 3600) : null
  const app = new Hono()
  app.onError((error) => toErrorResponse(error, logger))
  const routes = options.basePath ? app.basePath(options.basePath) : app

  // `depth`: how many path segments the route has below the mount point.
  const jobPath = (c: Context, record: MasterVideo, depth: number) =>
    `${prefixOf(c, depth)}/${encodeURIComponent(record.projectId)}/master-videos/${encodeURIComponent(record.id)}`
  const toJson = (c: Context, record: MasterVideo, depth: number) =>
    recordJson(record, jobPath(c, record, depth), signer)
  const json = (c: Context, body: unknown, status: 200 | 201 = 200) => {
    c.header('Cache-Control', 'no-store')
    return c.json(body, status)
  }

  // Authorization runs before anything reads the job, so a denied caller
  // learns nothing (not even whether the id exists).
  const guard =
    (action: RouteAction): MiddlewareHandler =>
    async (c, next) => {
      const projectId = c.req.param('projectId') as string
      const id = c.req.param('id')
      if (signer && id && FILE_KINDS.includes(action)) {
        const verdict = signer.verify(
          { kind: action as SignedKind, projectId, id },
          { expires: c.req.query('expires'), signature: c.req.query('signature') },
        )
        if (verdict === 'valid') return next()
        if (verdict === 'invalid') return errorResponse('FORBIDDEN', 'Signed URL is expired or invalid')
      }
      if (authorize) {
        const verdict = await authorize(
          c,
          id === undefined ? { action, projectId } : { action, projectId, id },
        )
        if (verdict instanceof Response) return verdict
        if (verdict !== true) return errorResponse('FORBIDDEN', 'Forbidden')
      }
      return next()
    }
  const scope = (c: Context) => ({ projectId: c.req.param('projectId') as string })
  const job = (c: Context) => mv.get(c.req.param('id') as string, scope(c))

  routes.post(
    '/:projectId/master-videos',
    guard('create'),
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: () => errorResponse('PAYLOAD_TOO_LARGE', 'Request body is too large'),
    }),
    validate('json', createBodySchema),
    async (c) => {
      const key = idempotencyKeySchema.safeParse(c.req.header('idempotency-key'))
      if (!key.success)
        return errorResponse('VALIDATION', '[mastervideo/http] invalid Idempotency-Key header')
      const body = c.req.valid('json')
      const { record, created } = await mv.submit({
        ...body,
        projectId: c.req.param('projectId'),
        idempotencyKey: key.data ?? null,
      })
      c.header('Location', jobPath(c, record, 2))
      // A repeated Idempotency-Key answers with the first job, as 200 rather than 201.
      if (!created) c.header('Idempotent-Replayed', 'true')
      return json(c, toJson(c, record, 2), created ? 201 : 200)
    },
  )

  routes.get('/:projectId/master-videos', guard('list'), validate('query', listQuerySchema), async (c) => {
    const query = c.req.valid('query')
    const page = await mv.list({ projectId: c.req.param('projectId'), ...query })
    return json(c, { items: page.items.map((record) => toJson(c, record, 2)), nextCursor: page.nextCursor })
  })

  routes.get(JOB, guard('get'), async (c) => json(c, toJson(c, await job(c), 3)))
  routes.delete(JOB, guard('delete'), async (c) =>
    json(c, toJson(c, await mv.delete(c.req.param('id'), scope(c)), 3)),
  )
  routes.post(`${JOB}/retry`, guard('retry'), async (c) =>
    json(c, toJson(c, await mv.retry(c.req.param('id'), scope(c)), 4)),
  )
  routes.post(`${JOB}/cancel`, guard('cancel'), async (c) =>
    json(c, toJson(c, await mv.cancel(c.req.param('id'), scope(c)), 4)),
  )
  routes.get(`${JOB}/events`, guard('events'), async (c) => {
    const record = await job(c)
    // Hono answers HEAD with this handler: never start a stream nobody reads.
    if (c.req.method === 'HEAD') return c.body(null, 200, { 'Content-Type': 'text/event-stream' })
    return eventsResponse(c, mv, record, (next) => toJson(c, next, 4), options.events ?? {})
  })

  async function serveFile(c: Context, kind: SignedKind): Promise<Response> {
    const record = await job(c)
    if (record.status !== 'completed' || !record.output) return notReadyResponse(record.status)
    const key = kind === 'thumbnail' ? record.thumbnailKey : record.output.key
    const missing = kind === 'thumbnail' ? 'This video has no thumbnail' : 'Video file not found'
    const file = key ? await mv.output.stat(key) : null
    if (!key || !file) return errorResponse('NOT_FOUND', missing)
    const headers: Record<string, string> = { 'Cache-Control': cacheControl }
    if (kind === 'download')
      headers['Content-Disposition'] = contentDisposition(`${record.name}_${record.id}.mp4`)
    const contentType = kind === 'thumbnail' ? 'image/jpeg' : 'video/mp4'
    if (offload) {
      headers['Content-Type'] = contentType
      headers[offload.header ?? 'X-Accel-Redirect'] = `${offload.prefix}${key}`
      return new Response(null, { status: 200, headers })
    }
    return fileResponse({
      store: mv.output,
      file,
      contentType,
      request: { method: c.req.method, header: (name) => c.req.header(name) },
      maxRanges,
      headers,
    })
  }
  for (const kind of ['video', 'download', 'thumbnail'] as const) {
    // Hono answers HEAD with the GET handler and drops the body; the handler
    // sees the HEAD method and never opens the file.
    routes.get(`${JOB}/${kind}`, guard(kind), (c) => serveFile(c, kind))
  }
  return app
}
