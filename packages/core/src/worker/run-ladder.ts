import { createWriteStream } from 'node:fs'
import { copyFile, link, mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { completionLanded } from '../adapter/transition-write.js'
import { toMasterVideoError, ValidationError } from '../errors.js'
import { namedKeys } from '../output/named-keys.js'
import type { OutputStore } from '../output/output-store.js'
import type { EncodingOptions, HlsOutput, MasterVideo, RenditionOutput } from '../record/master-video.js'
import type { CompleteResult } from '../repository/repository.js'
import { throwIfAborted } from '../support/abort.js'
import type { Logger } from '../support/logger.js'
import type { LadderResult, Transcoder } from '../transcoder/transcoder.js'
import { makeLadderScratch } from './ladder-scratch.js'

/** Whether a job asks for renditions: then its master is checkpointed and a ladder follows. */
export function wantsLadder(record: Pick<MasterVideo, 'encoding'>): boolean {
  return (record.encoding.renditions?.length ?? 0) > 0
}

/**
 * The share of a job's progress its master takes, by expected work: the
 * master counts as one full-size encode, the ladder as one decode (a tenth
 * of it) plus each rendition's encode in proportion to its pixels. The
 * master's height is not known before it is made, so the tallest of the
 * job's target height and its renditions stands in for it. A stream-copied
 * master is quicker than that, and the bar then moves faster in the first
 * phase than in the second: it stays monotonic, which is what matters.
 *
 * @example
 * ```ts
 * masterShare({ renditions: [{ name: '720p', height: 720 }, { name: '480p', height: 480 }] }) // about 0.39
 * ```
 */
export function masterShare(encoding: EncodingOptions): number {
  const renditions = encoding.renditions ?? []
  if (renditions.length === 0) return 1
  const tallest = Math.max(encoding.height ?? 0, ...renditions.map((r) => r.height))
  const ladder = 0.1 + renditions.reduce((sum, r) => sum + (r.height / tallest) ** 2, 0)
  return 1 / (1 + ladder)
}

/** What {@link runLadder} needs: the checkpointed record and the worker's means. */
export interface RunLadderContext {
  /** The job, its master already named by `output` (checkpointed). */
  record: MasterVideo
  transcoder: Transcoder
  output: OutputStore
  logger: Logger
  signal: AbortSignal
  /** The whole job's progress, 0..1: the ladder reports from {@link masterShare} up. */
  onProgress: (fraction: number) => void
  complete: (outcome: CompleteResult) => Promise<MasterVideo>
  read?: () => Promise<MasterVideo | null>
  /** A local copy of the master kept before it was committed; `runLadder` discards it. */
  kept?: KeptMaster | null
}

/** A hard link to the master taken before its commit, in a ladder scratch folder of its own. */
export interface KeptMaster {
  scratch: string
  path: string
  /** Removes the folder and the link. */
  discard(): Promise<void>
}

/**
 * Keeps the master's bytes for the ladder before a store without local
 * files (S3) uploads and removes them: a hard link in a fresh scratch
 * folder, which costs no copy. `null` when a link cannot be made (another
 * file system): the ladder then downloads the master.
 */
export async function keepMasterCopy(file: string): Promise<KeptMaster | null> {
  const scratch = await makeLadderScratch()
  const discard = () => rm(scratch, { recursive: true, force: true }).catch(() => {})
  const copy = path.join(scratch, 'master.mp4')
  try {
    await link(file, copy)
    return { scratch, path: copy, discard }
  } catch {
    await discard()
    return null
  }
}

// Pauses between reads of the record after complete() threw (as for the master).
const READ_AGAIN_MS = [0, 1000, 3000]

/**
 * Whether the stored record names the ladder's files after `complete`
 * threw: `landed` (our complete did commit), `unnamed` (a read shows they
 * are nobody's) or `unknown` (no read succeeded: keep them).
 */
async function ladderOwner(
  read: RunLadderContext['read'],
  outcome: CompleteResult,
  key: string,
): Promise<{ kind: 'landed'; record: MasterVideo } | { kind: 'unnamed' | 'unknown' }> {
  if (!read) return { kind: 'unknown' }
  for (const pause of READ_AGAIN_MS) {
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause))
    try {
      const record = await read()
      if (record && completionLanded(outcome, record)) return { kind: 'landed', record }
      return record && namedKeys(record).has(key) ? { kind: 'unknown' } : { kind: 'unnamed' }
    } catch {
      // The database is still unreachable: try again, then keep the files.
    }
  }
  return { kind: 'unknown' }
}

/**
 * A local file of the master: the store's own file when it has local files,
 * else a download into `scratch` (an S3 store: the master was uploaded
 * and its local copy removed when it was committed).
 */
async function localMaster(
  output: OutputStore,
  key: string,
  scratch: string,
  signal: AbortSignal,
): Promise<string> {
  const local = output.localPath?.(key)
  if (local && (await stat(local).catch(() => null))?.isFile()) return local
  const file = path.join(scratch, 'master.mp4')
  await pipeline(await output.createReadStream(key), createWriteStream(file), { signal })
  return file
}

/** Moves a finished file to where the store wants it: a rename on one file system, else a copy. */
async function moveInto(from: string, to: string): Promise<void> {
  try {
    await rename(from, to)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error
    await copyFile(from, to)
    await rm(from, { force: true })
  }
}

/** The record's view of a ladder: renditions without the transcoder's extras, HLS as stored. */
function recordOf(result: LadderResult): { renditions: RenditionOutput[]; hls: HlsOutput | null } {
  return {
    renditions: result.renditions.map(({ name, key, size, width, height, bitrate }) => ({
      name,
      key,
      size,
      width,
      height,
      bitrate,
    })),
    hls: result.hls,
  }
}

/**
 * The second phase of a job that asks for renditions: its master is
 * committed and named by the record (a checkpoint, so a retry starts here).
 * Encodes the ladder from the master in one transcoder call into a private
 * scratch folder, commits every file to the output store (playlists last),
 * then completes the job with the renditions, the skipped ones and the HLS
 * ladder. On any failure nothing stays in the scratch folder, and committed
 * ladder files are deleted once a fresh read proves no record names them.
 * The master is never deleted here: the record names it.
 */
export async function runLadder(ctx: RunLadderContext): Promise<MasterVideo> {
  const { record, transcoder, output, signal, logger } = ctx
  const master = record.output
  if (!master || !transcoder.ladder) {
    await ctx.kept?.discard()
    throw new ValidationError(
      master
        ? 'This transcoder cannot make renditions (it has no ladder method)'
        : `Master video ${record.id} has no master to make renditions from`,
    )
  }
  const ladder = transcoder.ladder.bind(transcoder)
  const share = masterShare(record.encoding)
  const progress = (f: number) => ctx.onProgress(share + (1 - share) * f)
  progress(0)
  const scratch = ctx.kept?.scratch ?? (await makeLadderScratch())
  let committed: string[] = []
  try {
    const input = ctx.kept?.path ?? (await localMaster(output, master.key, scratch, signal))
    throwIfAborted(signal)
    const directory = path.join(scratch, 'out')
    await mkdir(directory)
    const { preset, crf, renditions = [], hls } = record.encoding
    const result = await ladder({
      input,
      directory,
      prefix: `${record.id}_${Date.now()}`,
      renditions,
      hls: hls ?? null,
      profile: { ...(preset !== undefined ? { preset } : {}), ...(crf !== undefined ? { crf } : {}) },
      signal,
      onProgress: (f) => progress(Math.min(f, 0.99)),
    })
    throwIfAborted(signal)
    for (const skipped of result.skipped) {
      logger.info(
        { id: record.id, rendition: skipped.name, reason: skipped.reason },
        'mastervideo rendition skipped',
      )
    }
    // Playlists come last in `files`: a reader never finds one naming a segment not yet there.
    for (const file of result.files) {
      throwIfAborted(signal)
      const pending = await output.prepare(file.key)
      try {
        await moveInto(file.path, pending.path)
        await pending.commit()
      } finally {
        await pending.discard()
      }
      committed.push(file.key)
    }
    const outcome: CompleteResult = {
      output: master,
      thumbnailKey: record.thumbnailKey,
      skippedRenditions: result.skipped,
      ...recordOf(result),
    }
    try {
      const done = await ctx.complete(outcome)
      committed = []
      return done
    } catch (error) {
      const first = committed[0]
      const owner = first ? await ladderOwner(ctx.read, outcome, first) : { kind: 'unnamed' as const }
      if (owner.kind === 'landed') {
        committed = []
        logger.warn({ err: error, id: record.id }, 'mastervideo complete reported an error but was recorded')
        return owner.record
      }
      if (owner.kind === 'unknown') {
        logger.warn(
          { err: error, id: record.id, keys: committed.length },
          'mastervideo could not learn whether complete landed; keeping the rendition files',
        )
        committed = []
      }
      throw error
    }
  } catch (error) {
    throw toMasterVideoError(error, { context: 'cannot make the renditions' })
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => {})
    // Committed but provably not recorded: the files belong to nobody.
    for (const key of committed) await output.delete(key).catch(() => {})
  }
}
