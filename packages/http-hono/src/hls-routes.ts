import { posix } from 'node:path'
import { HLS_CONTENT_TYPES, type HlsOutput, type MasterVideo, type OutputStore } from '@mastervideo/core'
import type { Context } from 'hono'
import { errorResponse, notReadyResponse } from './errors.js'
import { type JobFileOptions, storedFileResponse } from './job-files.js'

/**
 * The stable name the master playlist is served under, whatever its key: `…/:id/hls/master.m3u8`.
 *
 * @example
 * ```ts
 * import { HLS_MASTER_PLAYLIST } from '@mastervideo/http-hono'
 *
 * const src = `/api/projects/p1/master-videos/${id}/hls/${HLS_MASTER_PLAYLIST}`
 * ```
 */
export const HLS_MASTER_PLAYLIST = 'master.m3u8'

/**
 * The key behind `file` of a ladder: the master playlist under
 * {@link HLS_MASTER_PLAYLIST} (or its own key), or a variant playlist, init
 * segment or media segment the record names; `null` for anything else. A
 * name from the URL only ever selects one of the record's keys.
 *
 * @example
 * ```ts
 * hlsKeyOf(record.hls, 'master.m3u8') // record.hls.masterKey
 * hlsKeyOf(record.hls, '../etc/passwd') // null
 * ```
 */
export function hlsKeyOf(hls: HlsOutput, file: string): string | null {
  if (file === HLS_MASTER_PLAYLIST || file === hls.masterKey) return hls.masterKey
  for (const variant of hls.variants) {
    if (file === variant.playlistKey || file === variant.initKey || variant.segmentKeys.includes(file))
      return file
  }
  return null
}

/** Far-future caching for files whose keys never name other bytes (each attempt writes new keys). */
function immutable(cacheControl: string): string {
  return `${/\bpublic\b/.test(cacheControl) ? 'public' : 'private'}, max-age=31536000, immutable`
}

/**
 * Answers `GET|HEAD …/:id/hls/:file`: `400` with the status until the job is
 * completed, `404` when it has no ladder, the record names no such file, or
 * the file is gone; else the file with its HLS media type. The master
 * playlist keeps the routes' `cacheControl` (its stable name moves to new
 * keys on a retry); every other file is immutable. Playlists are always
 * served here, because players resolve their relative URIs against the URL
 * they came from; segments follow `delivery` and `offload` like the video.
 *
 * @example
 * ```ts
 * app.get('/:projectId/master-videos/:id/hls/:file', async (c) =>
 *   hlsFileResponse(c, mv.output, await mv.get(c.req.param('id')), c.req.param('file'), {
 *     cacheControl: 'private, no-cache',
 *     maxRanges: 8,
 *   }),
 * )
 * ```
 */
export async function hlsFileResponse(
  c: Context,
  store: OutputStore,
  record: MasterVideo,
  file: string,
  options: JobFileOptions,
): Promise<Response> {
  if (record.status !== 'completed' || !record.output) return notReadyResponse(record.status)
  if (!record.hls) return errorResponse('NOT_FOUND', 'This video has no HLS stream')
  const key = hlsKeyOf(record.hls, file)
  const type = key ? (HLS_CONTENT_TYPES as Record<string, string>)[posix.extname(key).slice(1)] : undefined
  if (!key || !type) return errorResponse('NOT_FOUND', 'No such file in this HLS stream')
  const playlist = posix.extname(key) === '.m3u8'
  return storedFileResponse(
    c,
    store,
    {
      key,
      contentType: type,
      missing: 'HLS file not found',
      redirect: !playlist,
      cacheControl: key === record.hls.masterKey ? undefined : immutable(options.cacheControl),
    },
    options,
  )
}
