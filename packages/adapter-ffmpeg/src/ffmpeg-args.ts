import path from 'node:path'
import type { EncodingOptions, ProbeResult } from '@mastervideo/core'
import { audioStream, demuxerOf, inputRestrictions, videoStream } from './media-probe.js'

/** A clip ready to be placed: its probe, its trims, and how long it lasts once trimmed. */
export interface PlacedInput {
  probe: ProbeResult
  trimStart?: number | undefined
  trimEnd?: number | undefined
  /** Seconds of this clip in the output. */
  durationSec: number
}

/** The normalized output of a re-encode. */
export interface ReencodeTarget {
  width: number
  height: number
  /** A frame rate ffmpeg accepts: `25`, `30000/1001`. */
  fps: string
  preset: string
  crf: number
}

/** Re-encoding choices where a profile leaves them out: x264 preset `medium`, CRF 23. */
export const DEFAULT_ENCODING = { preset: 'medium', crf: 23 } as const

/** What every run starts with: quiet stderr except warnings, machine progress on stdout, no stdin. */
export const HEAD = ['-hide_banner', '-nostdin', '-nostats', '-v', 'warning', '-progress', 'pipe:1', '-y']

/** Every path goes through the `file:` protocol, so a name like `http:x` stays a file name. */
export function fileUrl(file: string): string {
  return `file:${path.resolve(file)}`
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2)
}

/** The displayed size of a clip: stored size, turned for 90/270 degree rotation. */
export function displaySize(probe: ProbeResult): { width: number; height: number } {
  const video = videoStream(probe)
  const width = video?.width ?? 0
  const height = video?.height ?? 0
  return video?.rotation === 90 || video?.rotation === 270
    ? { width: height, height: width }
    : { width, height }
}

function sensibleRate(rate: string | undefined): string | undefined {
  if (!rate) return undefined
  const [num, den] = rate.split('/').map(Number) as [number, number]
  const fps = den ? num / den : num
  return fps >= 1 && fps <= 120 ? rate : undefined
}

/**
 * The re-encode target: the profile's size and frame rate when given, else
 * the first clip's displayed size (one given side keeps its aspect ratio) and
 * frame rate; dimensions even, as yuv420p needs.
 */
export function reencodeTarget(
  first: ProbeResult,
  profile: Omit<EncodingOptions, 'strategy'> = {},
): ReencodeTarget {
  const shown = displaySize(first)
  const aspect = shown.width > 0 && shown.height > 0 ? shown.width / shown.height : 16 / 9
  let width = profile.width
  let height = profile.height
  if (width === undefined && height === undefined) {
    width = shown.width || 1280
    height = shown.height || 720
  } else if (width === undefined) width = (height as number) * aspect
  else if (height === undefined) height = width / aspect
  return {
    width: even(width as number),
    height: even(height as number),
    fps:
      profile.fps !== undefined ? String(profile.fps) : (sensibleRate(videoStream(first)?.frameRate) ?? '30'),
    preset: profile.preset ?? DEFAULT_ENCODING.preset,
    crf: profile.crf ?? DEFAULT_ENCODING.crf,
  }
}

/** Seconds as ffmpeg options take them: fixed microseconds, never exponent notation. */
export function seconds(value: number): string {
  return value.toFixed(6)
}

/**
 * ffmpeg arguments for a stream copy through the concat demuxer. The list and
 * every clip it names are held to local files and the allowed demuxers;
 * `-safe 0` only lets the list use absolute paths.
 */
export function copyArgs(options: {
  list: string
  output: string
  first: ProbeResult
  /** `encode`: copy the video, re-encode the audio, resampled onto its timestamps. */
  audio?: 'copy' | 'encode'
}): string[] {
  const hevc = videoStream(options.first)?.codec === 'hevc'
  // Re-encoding only the audio costs little and closes the gaps and overlaps
  // that cutting AAC frames at a join leaves (aresample fills or trims to the timestamps).
  const codecs =
    options.audio === 'encode'
      ? ['-c:v', 'copy', '-c:a', 'aac', '-b:a', '128k', '-af', 'aresample=async=1']
      : ['-c', 'copy']
  return [
    ...HEAD,
    ...inputRestrictions(['concat']),
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    fileUrl(options.list),
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    ...codecs,
    // Safari plays HEVC in MP4 only under the hvc1 tag.
    ...(hevc ? ['-tag:v', 'hvc1'] : []),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    fileUrl(options.output),
  ]
}

/** The filter chain that brings one clip to the target: fit, pad, square pixels, frame rate, 4:2:0; audio to 48 kHz stereo of exactly the clip's length. */
function normalizeFilters(input: PlacedInput, index: number, target: ReencodeTarget): string[] {
  const { width: w, height: h } = target
  const video = videoStream(input.probe)
  const sar = video?.sar ?? '1:1'
  // Anamorphic clips: make the pixels square first, so fitting keeps the shape the viewer saw.
  const square = sar === '1:1' ? '' : 'scale=trunc(iw*sar/2)*2:ih,setsar=1,'
  const d = seconds(input.durationSec)
  const chains = [
    `[${index}:v:0]${square}scale=${w}:${h}:force_original_aspect_ratio=decrease,` +
      `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=fps=${target.fps},format=yuv420p,` +
      `setpts=PTS-STARTPTS[v${index}]`,
  ]
  if (audioStream(input.probe)) {
    chains.push(
      `[${index}:a:0]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,` +
        `asetpts=PTS-STARTPTS,apad,atrim=end=${d}[a${index}]`,
    )
  } else {
    // A clip without sound gets silence of its own length, so later clips stay in sync.
    chains.push(`anullsrc=r=48000:cl=stereo,atrim=end=${d}[a${index}]`)
  }
  return chains
}

/**
 * ffmpeg arguments for a normalized re-encode through the concat filter. Each
 * clip is opened with its probed demuxer forced, so ffmpeg never guesses a
 * format again; trims are input seeks (`-ss`/`-t`), frame-accurate when
 * decoding. Rotation is applied by ffmpeg's autorotate before the filters.
 */
export function reencodeArgs(options: {
  inputs: PlacedInput[]
  output: string
  target: ReencodeTarget
}): string[] {
  const { inputs, target } = options
  const args = [...HEAD]
  for (const input of inputs) args.push(...placedInputArgs(input))
  const chains = inputs.flatMap((input, index) => normalizeFilters(input, index, target))
  const pads = inputs.map((_, index) => `[v${index}][a${index}]`).join('')
  chains.push(`${pads}concat=n=${inputs.length}:v=1:a=1[v][a]`)
  args.push(
    '-filter_complex',
    chains.join(';'),
    '-map',
    '[v]',
    '-map',
    '[a]',
    '-c:v',
    'libx264',
    '-preset',
    target.preset,
    '-crf',
    String(target.crf),
    '-pix_fmt',
    'yuv420p',
    ...aacMp4OutputArgs(options.output, { sampleRate: 48000, channels: 2 }),
  )
  return args
}

/**
 * One placed input: the protocol and format restrictions, its trim as input
 * seeks (`-ss`/`-t`), its demuxer and its file.
 */
export function placedInputArgs(input: PlacedInput): string[] {
  const args = inputRestrictions()
  if (input.trimStart !== undefined && input.trimStart > 0) args.push('-ss', seconds(input.trimStart))
  if (input.trimEnd !== undefined) args.push('-t', seconds(input.durationSec))
  args.push('-f', demuxerOf(input.probe.container), '-i', fileUrl(input.probe.path))
  return args
}

/**
 * The sound encoded to AAC at 128 kb/s with `sampleRate` and `channels`, into
 * a fast-start MP4 at `output`. The muxing queue is deep because a copied or
 * encoded video can run far ahead of the sound.
 */
export function aacMp4OutputArgs(output: string, audio: { sampleRate: number; channels: number }): string[] {
  return [
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-ar',
    String(audio.sampleRate),
    '-ac',
    String(audio.channels),
    '-max_muxing_queue_size',
    '4096',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    fileUrl(output),
  ]
}

/** ffmpeg arguments for one JPEG frame at `atSec`, `width` wide. */
export function thumbnailArgs(options: {
  input: ProbeResult
  output: string
  atSec: number
  width: number
}): string[] {
  return [
    ...HEAD,
    ...inputRestrictions(),
    '-ss',
    seconds(options.atSec),
    '-f',
    demuxerOf(options.input.container),
    '-i',
    fileUrl(options.input.path),
    '-map',
    '0:v:0',
    '-frames:v',
    '1',
    '-vf',
    `scale=${even(options.width)}:-2`,
    '-q:v',
    '3',
    '-f',
    'mjpeg',
    fileUrl(options.output),
  ]
}
