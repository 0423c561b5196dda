import type { AssetResolver } from '../assets/asset-resolver.js'
import type { OutputStore, PendingFile } from '../output/output-store.js'
import { type MasterVideo, type MasterVideoOutput, OUTPUT_CONTENT_TYPES } from '../record/master-video.js'
import { throwIfAborted } from '../support/abort.js'
import type { Logger } from '../support/logger.js'
import { type ConcatInput, POSTER_DEFAULTS, type Transcoder } from '../transcoder/transcoder.js'

/** What {@link runJob} needs. */
export interface RunJobContext {
  record: MasterVideo
  transcoder: Transcoder
  assets: AssetResolver
  output: OutputStore
  logger: Logger
  signal: AbortSignal
  onProgress: (fraction: number) => void
  /** Records the outcome under the lease; throws `LEASE_LOST` if the job is no longer ours. */
  complete: (outcome: { output: MasterVideoOutput; thumbnailKey: string | null }) => Promise<MasterVideo>
}

/**
 * The fixed names of a job's files: `<id>_<timestamp>.mp4` (ids already start
 * with `master_`), and a `.jpg` poster beside it. The timestamp keeps a
 * retried job from overwriting a file a client may still be reading.
 *
 * @example
 * ```ts
 * import { outputKeys } from '@mastervideo/core/adapter'
 *
 * console.log(outputKeys('master_1_abcdefgh', 1700000000000).video) // master_1_abcdefgh_1700000000000.mp4
 * ```
 */
export function outputKeys(id: string, now = Date.now()): { video: string; thumbnail: string } {
  return { video: `${id}_${now}.mp4`, thumbnail: `${id}_${now}.jpg` }
}

/**
 * One attempt of one job: resolve every shot, concat into a temporary file,
 * take a poster frame from it, commit both atomically, record completion.
 * Whatever fails, no temporary file survives and nothing is committed twice.
 */
export async function runJob(ctx: RunJobContext): Promise<MasterVideo> {
  const { record, transcoder, assets, output, signal, logger } = ctx
  const inputs: ConcatInput[] = []
  for (const shot of record.shots) {
    throwIfAborted(signal)
    const path = await assets.resolve(shot, record)
    inputs.push({ path, trimStart: shot.trimStart, trimEnd: shot.trimEnd })
  }
  throwIfAborted(signal)

  const keys = outputKeys(record.id)
  const video = await output.prepare(keys.video)
  let poster: PendingFile | null = null
  let committed: string[] = []
  try {
    const { strategy, ...profile } = record.encoding
    const result = await transcoder.concat({
      inputs,
      output: video.path,
      strategy: strategy ?? 'auto',
      profile,
      signal,
      onProgress: ctx.onProgress,
    })
    throwIfAborted(signal)
    logger.debug(
      { id: record.id, strategy: result.strategy, reason: result.reason },
      'mastervideo concat done',
    )

    // A poster is a nicety: a failure here is logged and the video still ships.
    let thumbnailKey: string | null = null
    try {
      poster = await output.prepare(keys.thumbnail)
      await transcoder.thumbnail(video.path, poster.path, {
        atSec: POSTER_DEFAULTS.atSec(result.durationSec),
        width: POSTER_DEFAULTS.width,
        signal,
      })
    } catch (error) {
      throwIfAborted(signal)
      logger.warn({ err: error, id: record.id }, 'mastervideo could not make a poster frame')
      await poster?.discard()
      poster = null
    }
    throwIfAborted(signal)

    const stored = await video.commit()
    committed = [keys.video]
    if (poster) {
      await poster.commit()
      committed.push(keys.thumbnail)
      thumbnailKey = keys.thumbnail
    }
    const done = await ctx.complete({
      output: {
        key: keys.video,
        size: stored.size,
        durationSec: result.durationSec,
        width: result.width,
        height: result.height,
        strategy: result.strategy,
        contentType: OUTPUT_CONTENT_TYPES.video,
      },
      thumbnailKey,
    })
    committed = []
    return done
  } finally {
    await video.discard()
    await poster?.discard()
    // Committed but not recorded (the lease was lost): the files belong to nobody.
    for (const key of committed) await output.delete(key).catch(() => {})
  }
}
