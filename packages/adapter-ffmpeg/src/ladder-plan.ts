import {
  hlsSegmentSec,
  type LadderRequest,
  ladderKeys,
  type ProbeResult,
  type RenditionSpec,
  type SkippedRendition,
} from '@mastervideo/core'
import { clipInvalid, invalidRequest } from './errors.js'
import { DEFAULT_ENCODING, displaySize } from './ffmpeg-args.js'
import { ladderArgs } from './ladder-args.js'
import { audioStream, videoStream } from './media-probe.js'

/** One rendition the ladder makes: its request, its exact size and CRF, its files. */
export interface PlannedRendition {
  spec: RenditionSpec
  width: number
  height: number
  crf: number
  keys: ReturnType<typeof ladderKeys>
}

/** A dry run of a ladder: what one ffmpeg pass makes, and what it skips. */
export interface LadderPlan {
  renditions: PlannedRendition[]
  skipped: SkippedRendition[]
  /** Segment length of the HLS output; `null` without one. */
  segmentSec: number | null
  /** The master's audio: copied when it is AAC, else encoded to AAC; `none` without audio. */
  audio: 'copy' | 'encode' | 'none'
  /** RFC 6381 name of the audio in the outputs (`mp4a.40.2`), when there is audio. */
  audioCodec: string | null
  /** Frames per second of the master (and of every rendition). */
  fps: number
  preset: string
  /** The exact ffmpeg arguments; file names are relative to the request's directory (ffmpeg's working directory). */
  args: string[]
  /** Seconds of video in the master, for the progress fraction. */
  totalSec: number
}

/** A store key: a plain file name, as every `OutputStore` accepts. */
const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2)
}

function rate(fraction: string | undefined): number {
  if (!fraction) return 30
  const [num, den] = fraction.split('/').map(Number) as [number, number]
  const fps = den ? num / den : num
  return Number.isFinite(fps) && fps >= 1 && fps <= 240 ? fps : 30
}

/** RFC 6381 object type of an AAC stream, from the profile ffprobe names. */
function aacCodec(profile: string | undefined): string {
  if (profile === 'HE-AACv2') return 'mp4a.40.29'
  if (profile === 'HE-AAC') return 'mp4a.40.5'
  return 'mp4a.40.2'
}

/**
 * Plans the ladder of `master`: each rendition's exact size (its height, the
 * width following the master's displayed aspect ratio, both even), skipping
 * any taller than the master (never upscaled), and the one ffmpeg pass that
 * makes them all.
 *
 * @throws `VALIDATION` for a request no ladder can follow (no rendition, a
 * prefix that is not a plain name); `INPUT_INVALID` for a master without video.
 */
export function planLadder(master: ProbeResult, request: Omit<LadderRequest, 'directory'>): LadderPlan {
  if (!PLAIN_NAME.test(request.prefix) || request.prefix.includes('..')) {
    throw invalidRequest('The ladder prefix must be a plain file name')
  }
  if (request.renditions.length === 0) throw invalidRequest('A ladder needs at least one rendition')
  const video = videoStream(master)
  if (!video) throw clipInvalid(master.path, 'the master has no video stream')
  const shown = displaySize(master)
  if (!(shown.width > 0 && shown.height > 0)) throw clipInvalid(master.path, 'the master has no picture size')
  const crf = request.profile?.crf ?? DEFAULT_ENCODING.crf
  const renditions: PlannedRendition[] = []
  const skipped: SkippedRendition[] = []
  for (const spec of request.renditions) {
    if (spec.height > shown.height) {
      skipped.push({
        name: spec.name,
        reason: `${spec.height} px is taller than the master (${shown.width}x${shown.height}); renditions are never upscaled`,
      })
      continue
    }
    renditions.push({
      spec,
      height: spec.height,
      width: even((spec.height * shown.width) / shown.height),
      crf: spec.crf ?? crf,
      keys: ladderKeys(request.prefix, spec.name),
    })
  }
  const audio = audioStream(master)
  const plan: Omit<LadderPlan, 'args'> = {
    renditions,
    skipped,
    segmentSec: request.hls ? hlsSegmentSec({ hls: request.hls }) : null,
    audio: !audio ? 'none' : audio.codec === 'aac' ? 'copy' : 'encode',
    audioCodec: !audio ? null : audio.codec === 'aac' ? aacCodec(audio.profile) : 'mp4a.40.2',
    fps: rate(video.frameRate),
    preset: request.profile?.preset ?? DEFAULT_ENCODING.preset,
    totalSec: video.durationSec ?? master.durationSec,
  }
  return { ...plan, args: renditions.length > 0 ? ladderArgs(master, plan) : [] }
}
