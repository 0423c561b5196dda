/**
 * `@mastervideo/adapter-ffmpeg`: the ffmpeg `Transcoder` for
 * mastervideo. Joins clips by stream copy when they match (hundreds of times
 * faster), by a normalized re-encode when they do not, with progress,
 * timeouts, a stall watchdog, thumbnails, and untrusted-input safety. Ships
 * ffmpeg and ffprobe through `@ffmpeg-installer`; `FFMPEG_PATH` /
 * `FFPROBE_PATH` or options point it at your own.
 *
 * Install: `npm install @mastervideo/core @mastervideo/adapter-ffmpeg`
 *
 * @example
 * ```ts
 * import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
 *
 * const transcoder = ffmpegTranscoder()
 * const auto = await transcoder.concat({ inputs: [{ path: 'a.mp4' }, { path: 'b.mp4' }], output: 'out.mp4' })
 * console.log(auto.strategy, auto.reason) // 'copy' when the clips match, else 'reencode'
 * ```
 *
 * @packageDocumentation
 */
export { type Compatibility, clipLabel, copyCompatibility } from './concat-compat.js'
export {
  type ConcatListEntry,
  concatListText,
  quoteConcatPath,
  representableInConcatList,
} from './concat-list.js'
export type { ConcatPlan } from './concat-plan.js'
export { DEFAULT_ENCODING } from './ffmpeg-args.js'
export { type FfmpegBinaries, resolveBinaries } from './ffmpeg-binaries.js'
export {
  type FfmpegTranscoder,
  type FfmpegTranscoderOptions,
  ffmpegTranscoder,
  type PlanOptions,
} from './ffmpeg-transcoder.js'
export { ALLOWED_CONTAINERS, DEMUXER_WHITELIST } from './media-probe.js'
export { type ProgressBlock, progressParser } from './progress-parser.js'
