import { stat } from 'node:fs/promises'
import type { ProbeResult } from '@mastervideo/core'
import type { ConcatPlan } from './concat-plan.js'
import { transcodeFailed } from './errors.js'
import { displaySize } from './ffmpeg-args.js'
import type { ProgressBlock } from './progress-parser.js'

/** What a concat wrote, as its result reports it. */
export interface WrittenOutput {
  durationSec: number
  width: number
  height: number
  sizeBytes: number
}

/**
 * Checks the file ffmpeg wrote, reading it again only when ffmpeg's own
 * account falls short. ffmpeg writes its closing progress block
 * (`progress=end`) after the file is finished, faststart pass included; when
 * that block has an output time and exactly as many bytes as the file on disk
 * holds, the file is what ffmpeg meant to write: the duration is ffmpeg's
 * count (within a frame of what ffprobe reads back) and the size the plan's.
 * Anything missing or off (no block, another byte count, no time): the file
 * is probed like any clip, and refused as `TRANSCODE_FAILED` if unreadable.
 * This saves a whole ffprobe run (about 20 ms) on every concat.
 *
 * @example
 * ```ts
 * const outcome = await runFfmpeg({ ffmpeg, args: plan.args, what: 'concat', totalSec: plan.totalSec })
 * const written = await checkOutput({ file: temp, plan, final: outcome.final, probe })
 * console.log(written.durationSec, written.sizeBytes)
 * ```
 */
export async function checkOutput(options: {
  file: string
  plan: ConcatPlan
  final: ProgressBlock | undefined
  probe: (file: string) => Promise<ProbeResult>
}): Promise<WrittenOutput> {
  const { file, plan, final } = options
  const onDisk = await stat(file)
  const outTime = final?.outTimeSec ?? 0
  if (onDisk.isFile() && onDisk.size > 0 && final?.totalSize === onDisk.size && outTime > 0) {
    return { durationSec: outTime, ...plan.outputSize, sizeBytes: onDisk.size }
  }
  const probed = await options.probe(file).catch((error: unknown) => {
    throw transcodeFailed('ffmpeg wrote an unreadable output', { cause: error })
  })
  return { durationSec: probed.durationSec, ...displaySize(probed), sizeBytes: probed.sizeBytes }
}
