import { namedKeys } from '../output/named-keys.js'
import type { OutputStore } from '../output/output-store.js'
import type { EncodingOptions, HlsOptions, MasterVideo, RenditionSpec } from '../record/master-video.js'
import type { Logger } from '../support/logger.js'

/**
 * The encoding options of a create call, with its top-level `renditions`
 * and `hls` (a shorter way to ask) laid over `encoding`'s own. Returns the
 * value as given when it is not an object, so validation reports it.
 */
export function ladderInput(input: {
  encoding?: EncodingOptions
  renditions?: RenditionSpec[]
  hls?: boolean | HlsOptions
}): unknown {
  if (input.renditions === undefined && input.hls === undefined) return input.encoding
  const base = input.encoding ?? {}
  if (typeof base !== 'object' || Array.isArray(base)) return base
  return {
    ...base,
    ...(input.renditions !== undefined ? { renditions: input.renditions } : {}),
    ...(input.hls !== undefined ? { hls: input.hls } : {}),
  }
}

/**
 * Deletes the files `before` named and `after` (the stored record that
 * replaced it) does not: a manual retry with new encoding options drops a
 * checkpointed master. A failed delete is logged; the startup sweep finds
 * the file again later.
 */
export async function deleteUnnamed(
  output: OutputStore,
  before: MasterVideo,
  after: MasterVideo,
  logger: Logger,
): Promise<void> {
  const kept = namedKeys(after)
  for (const key of namedKeys(before)) {
    if (kept.has(key)) continue
    await output
      .delete(key)
      .catch((error) => logger.warn({ err: error, key }, 'mastervideo could not delete'))
  }
}
