import { posix } from 'node:path'
import {
  type Logger,
  type MasterVideo,
  type MasterVideoOutput,
  OUTPUT_CONTENT_TYPES,
  type OutputStore,
} from '@mastervideo/core'
import type { Context } from 'hono'
import { contentDisposition } from './content-disposition.js'
import { errorResponse, notReadyResponse } from './errors.js'
import { type FileResponseInput, fileResponse } from './file-response.js'
import { nodeFileResponse } from './node-file-response.js'
import type { PresignCache } from './presign-cache.js'
import { countServed } from './served-bytes.js'

/** Hands a completed file's bytes to the reverse proxy in front (nginx's `X-Accel-Redirect`). */
export interface OffloadOptions {
  /** Default `X-Accel-Redirect`. */
  header?: string
  /** Prepended to the output key: the proxy's internal location, e.g. `/_mastervideo/`. */
  prefix: string
}

/**
 * Where the bytes of `/video` and `/download` come from: `proxy` streams them
 * through Node (byte ranges, validators); `redirect` answers 302 to a
 * presigned URL of the store, so S3 or the CDN in front of it sends them.
 */
export type Delivery = 'proxy' | 'redirect'

/** The options of a presigned GET, as an object store's `presign` takes them. */
export interface PresignRequest {
  /** How long the URL works, in seconds. */
  expiresInSec: number
  /** The `Content-Type` the response carries. */
  contentType: string
  /** The exact `Content-Disposition` the response carries (downloads). */
  contentDisposition?: string
}

/**
 * An {@link OutputStore} that can sign a URL its files are fetched from
 * directly (`s3OutputStore` from `@mastervideo/adapter-s3`).
 */
export interface PresigningOutputStore extends OutputStore {
  /** A URL that serves the file under `key` until `expiresInSec` have passed. */
  presign(key: string, options: PresignRequest): Promise<string>
}

/**
 * Whether `store` can answer with a presigned URL instead of its bytes (it
 * has a `presign` method); `delivery: 'redirect'` proxies any other store.
 *
 * @example
 * ```ts
 * import { canPresign } from '@mastervideo/http-hono'
 *
 * if (!canPresign(mv.output)) console.warn('delivery: redirect will proxy: this store cannot presign')
 * ```
 */
export function canPresign(store: OutputStore): store is PresigningOutputStore {
  return typeof (store as Partial<PresigningOutputStore>).presign === 'function'
}

/** How {@link jobFileResponse} answers. */
export interface JobFileOptions {
  /** `Cache-Control` of every file answer. */
  cacheControl: string
  /** Most byte ranges honoured in one request. */
  maxRanges: number
  offload?: OffloadOptions | undefined
  /** Default `proxy`. `redirect` applies to the video and the download of a store that can presign. */
  delivery?: Delivery | undefined
  /** Lifetime of a presigned URL, in seconds (with `redirect`). Default 3600. */
  redirectTtlSec?: number | undefined
  /** Reuses URLs for a burst of requests for one file; without it, every redirect signs anew. */
  presignCache?: PresignCache | undefined
  /** Write GET bodies straight to `@hono/node-server`'s Node response when the app runs on it (node-file-response.ts). */
  nodeFastPath?: boolean | undefined
  /** Where a failure after the headers went out is logged (fast path only). */
  logger?: Logger | undefined
}

/**
 * `Cache-Control` of a 302 to a presigned URL: the URL carries a credential
 * that expires, so neither the browser nor a shared cache may keep the answer.
 */
export const REDIRECT_CACHE_CONTROL = 'private, no-store'

/**
 * The name a job's download is saved under: `<name>_<id>` plus the video key's extension.
 *
 * @example
 * ```ts
 * downloadFileName(record, record.output) // 'Intro_master_1_abcdefgh.mp4'
 * ```
 */
export function downloadFileName(record: MasterVideo, output: MasterVideoOutput): string {
  return `${record.name}_${record.id}${posix.extname(output.key)}`
}

/** The master's files a route serves: its video (inline or as a download) and its poster. */
export type JobFileKind = 'video' | 'download' | 'thumbnail'

/** The key, media type and missing-file message of one kind of file of a completed job. */
function fileOf(record: MasterVideo, output: MasterVideoOutput, kind: JobFileKind) {
  if (kind === 'thumbnail') {
    return {
      key: record.thumbnailKey,
      contentType: OUTPUT_CONTENT_TYPES.thumbnail,
      missing: 'This video has no thumbnail',
    }
  }
  return {
    key: output.key,
    contentType: output.contentType ?? OUTPUT_CONTENT_TYPES.video,
    missing: 'Video file not found',
  }
}

/**
 * Answers a GET or HEAD of a job's video, download or thumbnail: `400` with
 * the job's status until it is completed, `404` when the file is gone, else
 * the file from the job's {@link OutputStore} (byte ranges, validators), or an
 * empty answer with the offload header for the proxy to fill. The download is
 * named `<name>_<id>` plus the video key's extension.
 *
 * With `delivery: 'redirect'` and a store that can presign, the video and the
 * download are a 302 to a presigned URL instead (the download's URL carries
 * the same `Content-Disposition` a proxied download sends). The caller has
 * authorized the request already. The redirect does not look the object up:
 * signing is local, and a file that is gone is the object store's 404.
 *
 * @example
 * ```ts
 * app.get('/:projectId/master-videos/:id/video', async (c) =>
 *   jobFileResponse(c, mv.output, await mv.get(c.req.param('id')), 'video', {
 *     cacheControl: 'private, no-cache',
 *     maxRanges: 8,
 *   }),
 * )
 * ```
 */
export async function jobFileResponse(
  c: Context,
  store: OutputStore,
  record: MasterVideo,
  kind: JobFileKind,
  options: JobFileOptions,
): Promise<Response> {
  const { output } = record
  if (record.status !== 'completed' || !output) return notReadyResponse(record.status)
  const { key, contentType, missing } = fileOf(record, output, kind)
  const disposition = kind === 'download' ? contentDisposition(downloadFileName(record, output)) : undefined
  return storedFileResponse(
    c,
    store,
    { key, contentType, missing, disposition, redirect: kind !== 'thumbnail' },
    options,
  )
}

/** One stored file of a completed job, as {@link storedFileResponse} serves it. */
export interface ServedFile {
  /** Its {@link OutputStore} key; `null` when the job has no such file. */
  key: string | null
  contentType: string
  /** The 404 message when there is no key or no file under it. */
  missing: string
  /** `Content-Disposition` of a download. */
  disposition?: string | undefined
  /** Whether `delivery: 'redirect'` may answer with a presigned URL. */
  redirect: boolean
  /** `Cache-Control` of this file, in place of the options' own. */
  cacheControl?: string | undefined
}

/**
 * Answers a GET or HEAD of one file the caller looked up on a completed,
 * authorized job: a 302 to a presigned URL (`delivery: 'redirect'`, a store
 * that can presign, and `file.redirect`), the offload header for the proxy to
 * fill, or the bytes from the store (byte ranges, validators); `404` when the
 * key is `null` or nothing is stored under it.
 *
 * @example
 * ```ts
 * const file = { key: rendition.key, contentType: 'video/mp4', missing: 'Video file not found', redirect: true }
 * return storedFileResponse(c, mv.output, file, { cacheControl: 'private, no-cache', maxRanges: 8 })
 * ```
 */
export async function storedFileResponse(
  c: Context,
  store: OutputStore,
  served: ServedFile,
  options: JobFileOptions,
): Promise<Response> {
  const { key, contentType, missing, disposition } = served
  if (key && served.redirect && options.delivery === 'redirect' && canPresign(store)) {
    const request: PresignRequest = {
      expiresInSec: options.redirectTtlSec ?? 3600,
      contentType,
      ...(disposition ? { contentDisposition: disposition } : {}),
    }
    const url = await (options.presignCache
      ? options.presignCache.presign(store, key, request)
      : store.presign(key, request))
    return new Response(null, {
      status: 302,
      headers: { Location: url, 'Cache-Control': REDIRECT_CACHE_CONTROL },
    })
  }
  const file = key ? await store.stat(key) : null
  if (!key || !file) return errorResponse('NOT_FOUND', missing)
  const headers: Record<string, string> = { 'Cache-Control': served.cacheControl ?? options.cacheControl }
  if (disposition) headers['Content-Disposition'] = disposition
  const { offload } = options
  if (offload) {
    headers['Content-Type'] = contentType
    headers[offload.header ?? 'X-Accel-Redirect'] = `${offload.prefix}${key}`
    return new Response(null, { status: 200, headers })
  }
  const input: FileResponseInput = {
    store,
    file,
    contentType,
    request: { method: c.req.method, header: (name) => c.req.header(name) },
    maxRanges: options.maxRanges,
    headers,
  }
  // Hono lays the headers host middleware set with `c.header()` over a
  // route's Response only once the context holds one: reading `c.res` makes it.
  void c.res
  const sent = options.nodeFastPath ? await nodeFileResponse(c, input, options.logger) : null
  return sent ?? countServed(await fileResponse(input), contentType, c.req.method)
}
