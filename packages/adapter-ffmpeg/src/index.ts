/**
 * `@mastervideo/adapter-ffmpeg`: the ffmpeg `Transcoder` for
 * mastervideo. Joins clips by stream copy when they match (hundreds of times
 * faster), by a normalized re-encode when they do not, with progress,
 * timeouts, a stall watchdog, thumbnails, and untrusted-input safety. Takes
 * ffmpeg and ffprobe as a pair from one source: options, then
 * `MASTERVIDEO_FFMPEG` / `MASTERVIDEO_FFPROBE`, then a current pair with
 * libx264 on `PATH`, then the binaries `@ffmpeg-installer` ships.
 *
 * Install: `npm install @mastervideo/core @mastervideo/adapter-ffmpeg`
 *
 * @example
 * ```ts
 * import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
 *
 * const transcoder = ffmpegTranscoder()
 * const auto = await transcoder.concat({ inputs: [{ path: 'a.mp4' }, { path: 'b.mp4' }], output: 'out.mp4' })
 * console.log(auto.strategy, auto.reason) // 'copy' when the clips match, 'copy-video' when only the sound differs, else 'reencode'
 * ```
 *
 * @packageDocumentation
 */
export {
  type Compatibility,
  clipLabel,
  copyCompatibility,
  videoCopyCompatibility,
} from './concat-compat.js'
export {
  type ConcatListEntry,
  concatListText,
  quoteConcatPath,
  representableInConcatList,
} from './concat-list.js'
export type { ConcatPlan } from './concat-plan.js'
export { DEFAULT_ENCODING } from './ffmpeg-args.js'
export {
  type BinarySource,
  type FfmpegBinaries,
  type ResolveBinariesOptions,
  resolveBinaries,
} from './ffmpeg-binaries.js'
export {
  buildOf,
  describeBuild,
  type FfmpegBuild,
  MIN_RELEASE,
  newEnough,
  OLD_BUILD_YEAR,
  pairWarnings,
  parseBuild,
} from './ffmpeg-build-info.js'
export {
  type FfmpegTranscoder,
  type FfmpegTranscoderOptions,
  ffmpegTranscoder,
  type PlanOptions,
} from './ffmpeg-transcoder.js'
export {
  avcCodecOf,
  type MasterPlaylistVariant,
  type MediaPlaylist,
  masterPlaylist,
  readMediaPlaylist,
  variantBandwidth,
} from './hls-playlist.js'
export { type LadderPlan, type PlannedRendition, planLadder } from './ladder-plan.js'
export { ALLOWED_CONTAINERS, DEMUXER_WHITELIST } from './media-probe.js'
export { readMp4Probe } from './mp4-header.js'
export { type ProgressBlock, progressParser } from './progress-parser.js'
