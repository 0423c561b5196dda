import type {
  AppliedStrategy,
  ConcatStrategy,
  EncodingOptions,
  HlsOptions,
  HlsVariant,
  RenditionSpec,
  SkippedRendition,
} from '../record/master-video.js'

/** One stream of a probed file. Fields a stream does not have are absent. */
export interface MediaStreamInfo {
  index: number
  type: 'video' | 'audio' | 'subtitle' | 'data' | 'other'
  /** Codec name as ffprobe spells it (`h264`, `aac`, ...). */
  codec: string
  profile?: string
  width?: number
  height?: number
  /** Display rotation in degrees (0, 90, 180, 270), from the display matrix or `rotate` tag. */
  rotation?: number
  /** Sample aspect ratio, `1:1` for square pixels. */
  sar?: string
  pixelFormat?: string
  /** Average frame rate as a fraction, for example `30/1` or `30000/1001`. */
  frameRate?: string
  /** Stream time base as a fraction, for example `1/15360`. */
  timeBase?: string
  sampleRate?: number
  channels?: number
  channelLayout?: string
  durationSec?: number
}

/** What {@link Transcoder.probe} learns about one file. */
export interface ProbeResult {
  path: string
  durationSec: number
  /** The container as the transcoder names it (ffprobe's `format_name`, e.g. `mov,mp4,m4a,3gp,3g2,mj2`). */
  container: string
  sizeBytes: number
  streams: MediaStreamInfo[]
}

/** One clip to join, already resolved to a local file. */
export interface ConcatInput {
  path: string
  /** Seconds to skip at the start. */
  trimStart?: number
  /** Second at which to stop. */
  trimEnd?: number
}

/** Arguments of {@link Transcoder.concat}. */
export interface ConcatRequest {
  /** The clips, in order; at least one. */
  inputs: ConcatInput[]
  /** The local file to write. Its directory exists. */
  output: string
  /** Default `auto`. */
  strategy?: ConcatStrategy
  /** Encoding choices for re-encoding (preset, CRF, target size and frame rate). */
  profile?: Omit<EncodingOptions, 'strategy'>
  /** Aborting it MUST stop the work (see {@link Transcoder.concat}). */
  signal?: AbortSignal
  /** Called with the done fraction, 0..1. */
  onProgress?: (fraction: number) => void
}

/** What {@link Transcoder.concat} produced. */
export interface ConcatResult {
  strategy: AppliedStrategy
  durationSec: number
  width: number
  height: number
  sizeBytes: number
  /** Why this strategy was chosen, in words (shown in logs). */
  reason?: string
}

/**
 * The poster frame a job gets, and what a transcoder uses where
 * {@link ThumbnailOptions} leave a value out: the frame at 1 s (the middle of
 * videos shorter than 2 s), 640 pixels wide.
 *
 * @example
 * ```ts
 * import { POSTER_DEFAULTS } from '@mastervideo/core'
 *
 * console.log(POSTER_DEFAULTS.atSec(0.6), POSTER_DEFAULTS.width) // 0.3 640
 * ```
 */
export const POSTER_DEFAULTS = {
  /** The second to grab from a video lasting `durationSec`. */
  atSec: (durationSec: number): number => Math.min(1, durationSec / 2),
  /** Width in pixels; the height keeps the aspect ratio. */
  width: 640,
} as const

/** Arguments of {@link Transcoder.thumbnail}. */
export interface ThumbnailOptions {
  /** Second of the video to grab. Default {@link POSTER_DEFAULTS}`.atSec(duration)`. */
  atSec?: number
  /** Width in pixels; height keeps the aspect ratio. Default {@link POSTER_DEFAULTS}`.width`. */
  width?: number
  signal?: AbortSignal
}

/** Arguments of {@link Transcoder.ladder}. */
export interface LadderRequest {
  /** The master video, a local file. */
  input: string
  /** An existing, empty local folder: every file of the ladder is written in it, named by its key. */
  directory: string
  /**
   * The start of every file name (`<job id>_<ms>`): renditions are
   * `<prefix>_<name>.mp4`, the HLS files `<prefix>_hls.m3u8`,
   * `<prefix>_hls_<name>.m3u8`, `<prefix>_hls_<name>_init.mp4` and
   * `<prefix>_hls_<name>_<5 digits>.m4s` (see `ladderKeys`).
   */
  prefix: string
  /** At least one; names are unique. */
  renditions: RenditionSpec[]
  /** Also write an HLS ladder (CMAF segments) of the renditions made, in the same pass; `true` uses 4 s segments. */
  hls?: boolean | HlsOptions | null
  /** x264 preset and the CRF a rendition without its own uses. */
  profile?: { preset?: string; crf?: number }
  /** Aborting it MUST stop the work, as for {@link Transcoder.concat}. */
  signal?: AbortSignal
  /** Called with the done fraction, 0..1. */
  onProgress?: (fraction: number) => void
}

/** One file a ladder wrote, in {@link LadderRequest.directory}. */
export interface LadderFile {
  /** Its name in the directory, which is also its store key. */
  key: string
  /** The local path (`directory` joined with `key`). */
  path: string
  /** Bytes. */
  size: number
  /** `video/mp4`, `application/vnd.apple.mpegurl` or `video/iso.segment`. */
  contentType: string
}

/** One rendition a ladder made. */
export interface LadderRendition {
  name: string
  /** The MP4 file's key. */
  key: string
  size: number
  width: number
  height: number
  /** Average bits per second of the file. */
  bitrate: number
  durationSec: number
}

/** One variant stream of the ladder's HLS output: what the record stores as an {@link HlsVariant}. */
export type LadderVariant = HlsVariant

/** What {@link Transcoder.ladder} made. */
export interface LadderResult {
  /** The renditions made, in the order asked. */
  renditions: LadderRendition[]
  /** Those not made (a rendition taller than the master is never upscaled), with the reason. */
  skipped: SkippedRendition[]
  /** The HLS ladder, when asked for and at least one rendition was made. */
  hls: { masterKey: string; segmentSec: number; variants: LadderVariant[] } | null
  /** Every file written, playlists last (a reader that finds a playlist finds what it names). */
  files: LadderFile[]
}

/**
 * Turns clips into one video. `ffmpegTranscoder()` from
 * `@mastervideo/adapter-ffmpeg` is the real one; `transcoderConformance()`
 * from `@mastervideo/core/testing` checks any other.
 *
 * Obligations every implementation MUST meet:
 * - `concat` writes the finished file at `output` and nothing else visible:
 *   on any failure or abort no file is left at `output` or beside it.
 * - When `signal` aborts, all work (child processes included) stops before the
 *   returned promise settles, and it rejects with `signal.reason` when that is
 *   a `MasterVideoError`, otherwise with a `CANCELED` error.
 * - `onProgress` values are monotonic, within 0..1, and the last one is 1.
 * - A missing input rejects with `ASSET_NOT_FOUND`; an input that is not a
 *   readable video rejects with `INPUT_INVALID`, before any output is written.
 * - A full disk rejects with `NO_SPACE`; other failures with `TRANSCODE_FAILED`.
 */
export interface Transcoder {
  /** Reads a file's duration, container and streams. */
  probe(path: string, options?: { signal?: AbortSignal }): Promise<ProbeResult>
  /** Joins `inputs` into `output`. */
  concat(request: ConcatRequest): Promise<ConcatResult>
  /** Writes a JPEG poster frame of `input` to `output`. */
  thumbnail(input: string, output: string, options?: ThumbnailOptions): Promise<void>
  /**
   * Encodes smaller versions of `request.input`, and with `hls` their CMAF
   * segments and playlists, into `request.directory`. Transcoders that cannot
   * omit it; a job asking for renditions then fails with `VALIDATION`.
   *
   * An implementation MUST NOT upscale (a rendition taller than the input is
   * skipped with its reason), MUST write only in `request.directory` and, on
   * any failure or abort, leave nothing there; it follows the abort,
   * progress and error rules of `concat`.
   */
  ladder?(request: LadderRequest): Promise<LadderResult>
  /**
   * Removes the scratch files a crashed run of this transcoder left behind
   * (temporary folders, lists), last changed more than `olderThanMs` ago, and
   * resolves with what it removed. The worker calls it when it starts.
   * It MUST NOT remove anything a run still alive (in this process or
   * another) uses, nor anything it did not create; transcoders without
   * scratch space omit it.
   */
  sweep?(olderThanMs: number): Promise<string[]>
}
