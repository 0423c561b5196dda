import type { AssetResolver } from '../assets/asset-resolver.js'
import { namedKeys } from '../output/named-keys.js'
import type { OutputStore, PendingFile } from '../output/output-store.js'
import { type MasterVideo, type MasterVideoOutput, OUTPUT_CONTENT_TYPES } from '../record/master-video.js'
import type { CompleteResult } from '../repository/repository.js'
import { throwIfAborted } from '../support/abort.js'
import type { Logger } from '../support/logger.js'
import { SPAN_NAMES } from '../telemetry/attempt-telemetry.js'
import { withSpan } from '../telemetry/with-span.js'
import { type ConcatInput, POSTER_DEFAULTS, type Transcoder } from '../transcoder/transcoder.js'
import { type KeptMaster, keepMasterCopy, masterShare, runLadder, wantsLadder } from './run-ladder.js'

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
  complete: (outcome: CompleteResult) => Promise<MasterVideo>
  /**
   * Names the committed master on the record under the lease while the job
   * goes on to its renditions (`repository.checkpoint`); throws `LEASE_LOST`
   * if the job is no longer ours. Needed only by jobs that ask for renditions.
   */
  checkpoint?: (outcome: { output: MasterVideoOutput; thumbnailKey: string | null }) => Promise<MasterVideo>
  /**
   * Reads the job as stored now (`repository.get`). After `complete` throws,
   * this is how the attempt learns whether its files are named by the record;
   * without it the committed files are kept, since nothing proves them unused.
   */
  read?: () => Promise<MasterVideo | null>
}

// Pauses between reads of the record after complete() threw: a partition
// that outlives them leaves the files in place rather than risk deleting a
// video the record names.
const READ_AGAIN_MS = [0, 1000, 3000]

/**
 * Who the stored record says owns `key`, read after `complete` threw:
 * `named` (our complete did land: that record), `unnamed` (a read succeeded
 * and the job is gone or names another output, so the files are nobody's), or
 * `unknown` (no read succeeded).
 */
async function ownerOf(
  read: RunJobContext['read'],
  key: string,
  landed: (record: MasterVideo) => boolean,
): Promise<{ kind: 'named'; record: MasterVideo } | { kind: 'unnamed' | 'unknown' }> {
  if (!read) return { kind: 'unknown' }
  for (const pause of READ_AGAIN_MS) {
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause))
    try {
      const record = await read()
      if (record && landed(record)) return { kind: 'named', record }
      // Named in another state (checkpointed, then canceled): not ours to delete.
      return record && namedKeys(record).has(key) ? { kind: 'unknown' } : { kind: 'unnamed' }
    } catch {
      // The database is still unreachable: try again, then give up keeping the files.
    }
  }
  return { kind: 'unknown' }
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
  const ladder = wantsLadder(record)
  // A master an earlier attempt committed and checkpointed is not made again.
  if (ladder && record.output) return runLadder({ ...ctx, record })
  const share = ladder ? masterShare(record.encoding) : 1
  const inputs: ConcatInput[] = []
  await withSpan(SPAN_NAMES.resolveAssets, {}, async () => {
    for (const shot of record.shots) {
      throwIfAborted(signal)
      const path = await assets.resolve(shot, record)
      inputs.push({ path, trimStart: shot.trimStart, trimEnd: shot.trimEnd })
    }
  })
  throwIfAborted(signal)

  const keys = outputKeys(record.id)
  const video = await output.prepare(keys.video)
  let poster: PendingFile | null = null
  let committed: string[] = []
  let checkpointed: MasterVideo | null = null
  // A local copy of the master for the ladder, when the store keeps none (S3).
  let kept: KeptMaster | null = null
  try {
    const { strategy, ...profile } = record.encoding
    const result = await transcoder.concat({
      inputs,
      output: video.path,
      strategy: strategy ?? 'auto',
      profile,
      signal,
      onProgress: ladder ? (fraction) => ctx.onProgress(fraction * share) : ctx.onProgress,
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

    if (ladder && !output.localPath) kept = await keepMasterCopy(video.path)
    const stored = await withSpan(SPAN_NAMES.commit, {}, async () => {
      const file = await video.commit()
      committed = [keys.video]
      if (poster) {
        await poster.commit()
        committed.push(keys.thumbnail)
        thumbnailKey = keys.thumbnail
      }
      return file
    })
    const outcome = {
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
    }
    // With renditions to make, the master is checkpointed, not completed (see run-ladder.ts).
    const landed = ladder
      ? (r: MasterVideo) =>
          r.status === 'processing' && r.leaseToken === record.leaseToken && r.output?.key === keys.video
      : (r: MasterVideo) => r.status === 'completed' && r.output?.key === keys.video
    try {
      if (ladder) {
        if (!ctx.checkpoint) throw new Error('runJob needs checkpoint() for a job with renditions')
        checkpointed = await ctx.checkpoint(outcome)
        committed = []
      } else {
        const done = await ctx.complete(outcome)
        committed = []
        return done
      }
    } catch (error) {
      // The write may have committed even though it threw (a reply lost
      // with the connection): delete the files only once a fresh read proves
      // the record does not name them.
      const owner = await ownerOf(ctx.read, keys.video, landed)
      if (owner.kind === 'named') {
        committed = []
        if (ladder) checkpointed = owner.record
        else {
          logger.warn(
            { err: error, id: record.id },
            'mastervideo complete reported an error but was recorded',
          )
          return owner.record
        }
      } else {
        if (owner.kind === 'unknown') {
          logger.warn(
            { err: error, id: record.id, keys: committed },
            'mastervideo could not learn whether complete landed; keeping its files',
          )
          committed = []
        }
        throw error
      }
    }
  } finally {
    await video.discard()
    if (!checkpointed) await kept?.discard()
    await poster?.discard()
    // Committed but provably not recorded: the files belong to nobody.
    for (const key of committed) await output.delete(key).catch(() => {})
  }
  return runLadder({ ...ctx, record: checkpointed ?? record, kept })
}
