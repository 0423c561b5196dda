import { posix } from 'node:path'
import {
  type MasterVideo,
  OUTPUT_CONTENT_TYPES,
  type OutputStore,
  type RenditionOutput,
} from '@mastervideo/core'
import type { Context } from 'hono'
import { contentDisposition } from './content-disposition.js'
import { errorResponse, notReadyResponse } from './errors.js'
import { type JobFileOptions, storedFileResponse } from './job-files.js'

/** The two ways a rendition is fetched: inline for a player, or as a named download. */
export type RenditionFileKind = 'video' | 'download'

/**
 * The name a rendition's download is saved under: the master's
 * `<name>_<id>`, then `_<rendition>` and the rendition key's extension.
 *
 * @example
 * ```ts
 * renditionFileName(record, record.renditions[0]) // 'Intro_master_1_abcdefgh_720p.mp4'
 * ```
 */
export function renditionFileName(record: MasterVideo, rendition: RenditionOutput): string {
  return `${record.name}_${record.id}_${rendition.name}${posix.extname(rendition.key)}`
}

/**
 * Answers `GET|HEAD …/:id/renditions/:name/video` and `…/download` as the
 * master's `/video` and `/download` are answered (byte ranges, validators,
 * RFC 6266 name, `delivery: 'redirect'`, offload): `400` with the status
 * until the job is completed, `404` for a name the record does not list
 * (a skipped rendition too) or a file that is gone. Only the key the record
 * names is read: the name from the URL is compared, never used as a key.
 *
 * @example
 * ```ts
 * app.get('/:projectId/master-videos/:id/renditions/:name/video', async (c) =>
 *   renditionFileResponse(c, mv.output, await mv.get(c.req.param('id')), c.req.param('name'), 'video', {
 *     cacheControl: 'private, no-cache',
 *     maxRanges: 8,
 *   }),
 * )
 * ```
 */
export async function renditionFileResponse(
  c: Context,
  store: OutputStore,
  record: MasterVideo,
  name: string,
  kind: RenditionFileKind,
  options: JobFileOptions,
): Promise<Response> {
  if (record.status !== 'completed' || !record.output) return notReadyResponse(record.status)
  const rendition = record.renditions.find((made) => made.name === name)
  if (!rendition) return errorResponse('NOT_FOUND', 'This video has no rendition of that name')
  const disposition =
    kind === 'download' ? contentDisposition(renditionFileName(record, rendition)) : undefined
  return storedFileResponse(
    c,
    store,
    {
      key: rendition.key,
      contentType: OUTPUT_CONTENT_TYPES.video,
      missing: 'Video file not found',
      disposition,
      redirect: true,
    },
    options,
  )
}
