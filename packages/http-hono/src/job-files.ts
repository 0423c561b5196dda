import { posix } from 'node:path'
import {
  type MasterVideo,
  type MasterVideoOutput,
  OUTPUT_CONTENT_TYPES,
  type OutputStore,
} from '@mastervideo/core'
import type { Context } from 'hono'
import { contentDisposition } from './content-disposition.js'
import { errorResponse, notReadyResponse } from './errors.js'
import { fileResponse } from './file-response.js'
import type { SignedKind } from './signed-url.js'

/** Hands a completed file's bytes to the reverse proxy in front (nginx's `X-Accel-Redirect`). */
export interface OffloadOptions {
  /** Default `X-Accel-Redirect`. */
  header?: string
  /** Prepended to the output key: the proxy's internal location, e.g. `/_mastervideo/`. */
  prefix: string
}

/** How {@link jobFileResponse} answers. */
export interface JobFileOptions {
  /** `Cache-Control` of every file answer. */
  cacheControl: string
  /** Most byte ranges honoured in one request. */
  maxRanges: number
  offload?: OffloadOptions | undefined
}

/** The key, media type and missing-file message of one kind of file of a completed job. */
function fileOf(record: MasterVideo, output: MasterVideoOutput, kind: SignedKind) {
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
  kind: SignedKind,
  options: JobFileOptions,
): Promise<Response> {
  const { output } = record
  if (record.status !== 'completed' || !output) return notReadyResponse(record.status)
  const { key, contentType, missing } = fileOf(record, output, kind)
  const file = key ? await store.stat(key) : null
  if (!key || !file) return errorResponse('NOT_FOUND', missing)
  const headers: Record<string, string> = { 'Cache-Control': options.cacheControl }
  if (kind === 'download') {
    headers['Content-Disposition'] = contentDisposition(
      `${record.name}_${record.id}${posix.extname(output.key)}`,
    )
  }
  const { offload } = options
  if (offload) {
    headers['Content-Type'] = contentType
    headers[offload.header ?? 'X-Accel-Redirect'] = `${offload.prefix}${key}`
    return new Response(null, { status: 200, headers })
  }
  return fileResponse({
    store,
    file,
    contentType,
    request: { method: c.req.method, header: (name) => c.req.header(name) },
    maxRanges: options.maxRanges,
    headers,
  })
}
