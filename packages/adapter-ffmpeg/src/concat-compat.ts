import path from 'node:path'
import type { MediaStreamInfo, ProbeResult } from '@mastervideo/core'
import { audioStream, videoStream } from './media-probe.js'

/** Whether the clips can be joined by stream copy, and why (or why not) in words. */
export interface Compatibility {
  compatible: boolean
  reason: string
  /**
   * When a property differs: which one, and its value in the first clip that
   * differs (`index`, 0-based) and in clip 1.
   */
  differs?: { property: string; index: number; value: string; expected: string }
}

/** Codecs an MP4 can carry as they are; anything else has to be re-encoded. */
const COPYABLE_VIDEO = new Set(['h264', 'hevc', 'mpeg4'])
const COPYABLE_AUDIO = new Set(['aac', 'mp3'])

type Property = [label: string, read: (probe: ProbeResult) => string]

function rate(value: string | undefined): string {
  if (!value) return 'unknown'
  const [num, den] = value.split('/').map(Number) as [number, number]
  // Round so 30000/1001 and 2997/100 compare equal: copy keeps the packets' timestamps anyway.
  return String(Math.round((num / den) * 100) / 100)
}

const v = (probe: ProbeResult): MediaStreamInfo | undefined => videoStream(probe)
const a = (probe: ProbeResult): MediaStreamInfo | undefined => audioStream(probe)

/** What must be equal for the concat demuxer to copy the video, in the order a reason names them. */
const VIDEO_PROPERTIES: Property[] = [
  ['video codec', (p) => v(p)?.codec ?? 'none'],
  ['video profile', (p) => v(p)?.profile ?? 'none'],
  ['size', (p) => `${v(p)?.width}x${v(p)?.height}`],
  ['rotation', (p) => `${v(p)?.rotation ?? 0}°`],
  ['sample aspect ratio', (p) => v(p)?.sar ?? '1:1'],
  ['pixel format', (p) => v(p)?.pixelFormat ?? 'unknown'],
  ['frame rate', (p) => `${rate(v(p)?.frameRate)} fps`],
  ['video time base', (p) => v(p)?.timeBase ?? 'unknown'],
  // The demuxer matches streams by position: video at another index would land on the wrong track.
  ['video stream position', (p) => `#${v(p)?.index ?? 0}`],
]

/** What must also be equal to copy the audio. */
const AUDIO_PROPERTIES: Property[] = [
  ['audio track', (p) => (a(p) ? 'present' : 'absent')],
  ['audio codec', (p) => a(p)?.codec ?? 'none'],
  ['audio profile', (p) => a(p)?.profile ?? 'none'],
  ['audio sample rate', (p) => `${a(p)?.sampleRate ?? 0} Hz`],
  ['audio channel layout', (p) => a(p)?.channelLayout ?? `${a(p)?.channels ?? 0} channels`],
]

const PROPERTIES: Property[] = [...VIDEO_PROPERTIES, ...AUDIO_PROPERTIES]

/** `clip 2 (b.mp4)`: how reasons name a clip. */
export function clipLabel(probe: ProbeResult, index: number): string {
  return `clip ${index + 1} (${path.basename(probe.path)})`
}

/**
 * Compares every clip with the first on what a stream copy needs to match:
 * codec, profile, size, rotation, SAR, pixel format, frame rate, time base and
 * the audio layout, and whether MP4 can carry the codecs. The reason names the
 * first property that differs and the two clips, so a log line says why a job
 * was re-encoded.
 *
 * @example
 * ```ts
 * import { copyCompatibility, ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
 *
 * const t = ffmpegTranscoder()
 * const probes = await Promise.all(['a.mp4', 'b.mp4'].map((p) => t.probe(p)))
 * console.log(copyCompatibility(probes).reason)
 * ```
 */
export function copyCompatibility(probes: ProbeResult[]): Compatibility {
  return compare(probes, PROPERTIES, true)
}

/**
 * Compares every clip with the first on what copying the video alone needs:
 * {@link copyCompatibility} without the audio. When it holds and the full
 * check does not, only the sound differs, and the `copy-video` strategy joins
 * the clips by copying their video and encoding one normalized audio track.
 *
 * @example
 * ```ts
 * import { copyCompatibility, videoCopyCompatibility } from '@mastervideo/adapter-ffmpeg'
 *
 * const onlySoundDiffers = (probes: Parameters<typeof copyCompatibility>[0]) =>
 *   !copyCompatibility(probes).compatible && videoCopyCompatibility(probes).compatible
 * ```
 */
export function videoCopyCompatibility(probes: ProbeResult[]): Compatibility {
  return compare(probes, VIDEO_PROPERTIES, false)
}

function compare(probes: ProbeResult[], properties: Property[], withAudio: boolean): Compatibility {
  const first = probes[0]
  if (!first) return { compatible: false, reason: 'no clips' }
  for (const [index, probe] of probes.entries()) {
    const video = v(probe)
    if (!video || !COPYABLE_VIDEO.has(video.codec)) {
      return {
        compatible: false,
        reason: `${clipLabel(probe, index)} has video codec ${video?.codec ?? 'none'}, which an MP4 cannot carry as is`,
      }
    }
    const audio = a(probe)
    if (withAudio && audio && !COPYABLE_AUDIO.has(audio.codec)) {
      return {
        compatible: false,
        reason: `${clipLabel(probe, index)} has audio codec ${audio.codec}, which an MP4 cannot carry as is`,
      }
    }
  }
  for (const [label, read] of properties) {
    const expected = read(first)
    for (let index = 1; index < probes.length; index++) {
      const actual = read(probes[index] as ProbeResult)
      if (actual !== expected) {
        return {
          compatible: false,
          reason: `${label} differs: ${clipLabel(probes[index] as ProbeResult, index)} has ${actual}, ${clipLabel(first, 0)} has ${expected}`,
          differs: { property: label, index, value: actual, expected },
        }
      }
    }
  }
  const summary = properties
    .filter(([label]) => (!label.startsWith('audio') || a(first)) && label !== 'video stream position')
    .map(([label, read]) => `${label} ${read(first)}`)
    .join(', ')
  return {
    compatible: true,
    reason: `${probes.length === 1 ? 'one clip' : `all ${probes.length} clips match`}: ${summary}`,
  }
}
