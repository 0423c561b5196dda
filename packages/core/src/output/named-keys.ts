import type { MasterVideo } from '../record/master-video.js'

/**
 * Every {@link OutputStore} key a record names: the master video, its poster,
 * each rendition, and every playlist and segment of its HLS ladder. A file
 * under any other key belongs to no finished or checkpointed work of the job.
 *
 * @example
 * ```ts
 * import { namedKeys } from '@mastervideo/core/adapter'
 *
 * declare const record: import('@mastervideo/core').MasterVideo
 * for (const key of namedKeys(record)) console.log(key)
 * ```
 */
export function namedKeys(record: MasterVideo): Set<string> {
  const keys = new Set<string>()
  if (record.output) keys.add(record.output.key)
  if (record.thumbnailKey) keys.add(record.thumbnailKey)
  // Records written before schema version 2 may lack these fields.
  for (const rendition of record.renditions ?? []) keys.add(rendition.key)
  if (record.hls) {
    keys.add(record.hls.masterKey)
    for (const variant of record.hls.variants) {
      keys.add(variant.playlistKey)
      keys.add(variant.initKey)
      for (const segment of variant.segmentKeys) keys.add(segment)
    }
  }
  return keys
}
