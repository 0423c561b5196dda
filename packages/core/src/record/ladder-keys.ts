import type { EncodingOptions } from './master-video.js'

/** The keys of one rendition's files, as {@link ladderKeys} names them. */
export interface LadderKeys {
  /** The rendition's MP4: `<prefix>_<name>.mp4`. */
  video: string
  /** Its HLS media playlist: `<prefix>_hls_<name>.m3u8`. */
  playlist: string
  /** Its CMAF initialization segment: `<prefix>_hls_<name>_init.mp4`. */
  init: string
  /** The pattern of its media segments, numbered from 1: `<prefix>_hls_<name>_%05d.m4s`. */
  segmentPattern: string
  /** The key of media segment `n` (from 1). */
  segment(n: number): string
}

/**
 * The flat store keys of a ladder's files. `prefix` is `<job id>_<ms>` of
 * the attempt that makes the ladder, so one attempt never overwrites a file
 * another attempt may have named; every key stays a plain file name
 * (rendition names are `a-z0-9_-`). Playlists name their segments by these
 * keys alone, so a route serving `…/hls/<key>` serves every file they lead to.
 *
 * @example
 * ```ts
 * import { ladderKeys } from '@mastervideo/core'
 *
 * const keys = ladderKeys('master_1_abcdefgh_1700000000000', '720p')
 * console.log(keys.video, keys.playlist, keys.segment(1))
 * // master_1_abcdefgh_1700000000000_720p.mp4 master_1_abcdefgh_1700000000000_hls_720p.m3u8 master_1_abcdefgh_1700000000000_hls_720p_00001.m4s
 * console.log(ladderKeys.master('master_1_abcdefgh_1700000000000')) // master_1_abcdefgh_1700000000000_hls.m3u8
 * ```
 */
export function ladderKeys(prefix: string, name: string): LadderKeys {
  const hls = `${prefix}_hls_${name}`
  return {
    video: `${prefix}_${name}.mp4`,
    playlist: `${hls}.m3u8`,
    init: `${hls}_init.mp4`,
    segmentPattern: `${hls}_%05d.m4s`,
    segment: (n) => `${hls}_${String(n).padStart(5, '0')}.m4s`,
  }
}

/** The key of the HLS master playlist: `<prefix>_hls.m3u8`. */
ladderKeys.master = (prefix: string): string => `${prefix}_hls.m3u8`

/** The media types of the HLS files, by extension, as a route should serve them. */
export const HLS_CONTENT_TYPES = {
  m3u8: 'application/vnd.apple.mpegurl',
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
} as const

/** The default HLS segment length, in seconds. */
const DEFAULT_SEGMENT_SEC = 4

/**
 * The HLS segment length a job asks for: `null` when it asks for no ladder,
 * 4 s for `hls: true`.
 *
 * @example
 * ```ts
 * import { hlsSegmentSec } from '@mastervideo/core'
 *
 * hlsSegmentSec({ hls: true }) // 4
 * hlsSegmentSec({ hls: { segmentSec: 2 } }) // 2
 * hlsSegmentSec({}) // null
 * ```
 */
export function hlsSegmentSec(encoding: EncodingOptions): number | null {
  const { hls } = encoding
  if (!hls) return null
  return hls === true ? DEFAULT_SEGMENT_SEC : (hls.segmentSec ?? DEFAULT_SEGMENT_SEC)
}
