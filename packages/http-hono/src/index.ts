/**
 * `@mastervideo/http-hono`: the master-video HTTP routes as a Hono app that a
 * Hono, Express or plain `node:http` server mounts. Create, list, retry,
 * cancel and delete jobs; stream the video with RFC 9110 byte ranges and
 * validators; download it under an RFC 6266 file name; follow a job live
 * with server-sent events; authorize every route, or sign file URLs.
 *
 * Install: `npm install @mastervideo/http-hono @mastervideo/core hono`
 *
 * Without `authorize`, the routes are public.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono'
 * import { serve } from '@hono/node-server'
 * import { masterVideoRoutes } from '@mastervideo/http-hono'
 *
 * const app = new Hono()
 * app.route('/api/projects', masterVideoRoutes(mv, { authorize: (c, { projectId }) => canSee(c, projectId) }))
 * serve({ fetch: app.fetch, port: 3000 })
 * ```
 *
 * @packageDocumentation
 */
export { contentDisposition, safeFileName } from './content-disposition.js'
export {
  type ErrorBody,
  errorResponse,
  HTTP_STATUS,
  type HttpErrorCode,
  type HttpOnlyErrorCode,
} from './errors.js'
export type { EventsOptions } from './events-stream.js'
export { HLS_MASTER_PLAYLIST } from './hls-routes.js'
export {
  canPresign,
  type Delivery,
  type OffloadOptions,
  type PresigningOutputStore,
  type PresignRequest,
} from './job-files.js'
export type { LadderUrls, RenditionUrls } from './ladder-links.js'
export { type MasterVideoRoutesOptions, masterVideoRoutes } from './master-video-routes.js'
export {
  type FileMeta,
  type FilePlan,
  type FileValidators,
  fileValidators,
  type ParsedRange,
  parseRange,
  planFileResponse,
  type RangeRequest,
} from './range-request.js'
export type { RecordCacheOptions } from './record-cache.js'
export { type MasterVideoJson, type MasterVideoUrls, publicError } from './record-json.js'
export type { AuthorizeFunction, AuthorizeTarget, RouteAction } from './route-guard.js'
export { type SignedKind, type SignedTarget, type UrlSigner, urlSigner } from './signed-url.js'
