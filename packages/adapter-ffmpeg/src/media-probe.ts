import type { BigIntStats } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import type { MediaStreamInfo, ProbeResult } from '@mastervideo/core'
import { execa } from 'execa'
import { abortError, clipInvalid, clipMissing, throwIfAborted, transcodeFailed } from './errors.js'
import { readMp4Probe } from './mp4-header.js'
import type { ProbeCache } from './probe-cache.js'

/**
 * The containers we accept, as ffprobe names them in `format_name`. Anything
 * else is refused before ffmpeg touches it: an HLS playlist, a concat list or
 * an image sequence can make ffmpeg open other files or URLs, and no real clip
 * comes as one.
 */
export const ALLOWED_CONTAINERS: Readonly<Record<string, string>> = {
  'mov,mp4,m4a,3gp,3g2,mj2': 'mov',
  'matroska,webm': 'matroska',
  mpegts: 'mpegts',
  avi: 'avi',
  flv: 'flv',
}

/** The demuxers ffmpeg may use on a clip (`-format_whitelist`): the allow-list above, nothing else. */
export const DEMUXER_WHITELIST = [...new Set(Object.values(ALLOWED_CONTAINERS))].join(',')

/** The demuxer to force for a probed container (`-f`), so ffmpeg never guesses again. */
export function demuxerOf(container: string): string {
  const demuxer = ALLOWED_CONTAINERS[container]
  if (demuxer === undefined) throw new Error(`container ${container} is not allowed`)
  return demuxer
}

/** The arguments that keep ffmpeg and ffprobe to local files and real containers. */
export function inputRestrictions(extraDemuxers: string[] = []): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', [...extraDemuxers, DEMUXER_WHITELIST].join(',')]
}

interface RawStream {
  index?: number
  codec_type?: string
  codec_name?: string
  profile?: string
  width?: number
  height?: number
  sample_aspect_ratio?: string
  pix_fmt?: string
  avg_frame_rate?: string
  r_frame_rate?: string
  time_base?: string
  sample_rate?: string
  channels?: number
  channel_layout?: string
  duration?: string
  tags?: Record<string, string>
  side_data_list?: { side_data_type?: string; rotation?: number }[]
  disposition?: { attached_pic?: number }
}

interface RawProbe {
  format?: { format_name?: string; duration?: string; size?: string }
  streams?: RawStream[]
  packets?: unknown[]
}

const STREAM_TYPES: Record<string, MediaStreamInfo['type']> = {
  video: 'video',
  audio: 'audio',
  subtitle: 'subtitle',
  data: 'data',
}

function fraction(value: string | undefined): string | undefined {
  return value && /^\d+\/[1-9]\d*$/.test(value) && !value.startsWith('0/') ? value : undefined
}

function finite(value: string | number | undefined): number | undefined {
  const n = Number(value)
  return value === undefined || value === '' || !Number.isFinite(n) ? undefined : n
}

/** Clockwise degrees (0, 90, 180, 270), as the `rotate` tag counts them. */
function rotationOf(raw: RawStream): number | undefined {
  const tag = finite(raw.tags?.rotate)
  // The display matrix counts counter-clockwise.
  const matrix = raw.side_data_list?.find((d) => d.rotation !== undefined)?.rotation
  const degrees = tag ?? (matrix === undefined ? undefined : -matrix)
  if (degrees === undefined) return undefined
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360
}

function toStream(raw: RawStream, position: number): MediaStreamInfo {
  const stream: MediaStreamInfo = {
    index: raw.index ?? position,
    // Cover art is a one-frame "video" stream; it is not part of the clip.
    type: raw.disposition?.attached_pic ? 'other' : (STREAM_TYPES[raw.codec_type ?? ''] ?? 'other'),
    codec: raw.codec_name ?? 'unknown',
  }
  const set = <K extends keyof MediaStreamInfo>(key: K, value: MediaStreamInfo[K] | undefined) => {
    if (value !== undefined) stream[key] = value
  }
  set('profile', raw.profile)
  set('width', raw.width)
  set('height', raw.height)
  if (stream.type === 'video') set('rotation', rotationOf(raw) ?? 0)
  set(
    'sar',
    raw.sample_aspect_ratio && raw.sample_aspect_ratio !== '0:1' ? raw.sample_aspect_ratio : undefined,
  )
  set('pixelFormat', raw.pix_fmt)
  set('frameRate', fraction(raw.avg_frame_rate) ?? fraction(raw.r_frame_rate))
  set('timeBase', fraction(raw.time_base))
  set('sampleRate', finite(raw.sample_rate))
  set('channels', raw.channels)
  set('channelLayout', raw.channel_layout)
  set('durationSec', finite(raw.duration))
  return stream
}

/** The first real video stream (not cover art). */
export function videoStream(probe: ProbeResult): MediaStreamInfo | undefined {
  return probe.streams.find((s) => s.type === 'video' && (s.width ?? 0) > 0)
}

/** The first audio stream. */
export function audioStream(probe: ProbeResult): MediaStreamInfo | undefined {
  return probe.streams.find((s) => s.type === 'audio')
}

/** Last stderr lines, the ones that say why (for the logs: they name server paths). */
function tail(text: string, lines = 8): string[] {
  return text
    .trim()
    .split('\n')
    .slice(-lines)
    .filter((line) => line !== '')
}

/** What ffprobe's refusal means, in words without its stderr (which names server paths). */
function ffprobeRefusal(stderr: string): string {
  const demuxer = /\[(\w+) @ [^\]]*\] Format not on whitelist/.exec(stderr)?.[1]
  if (demuxer) return `container "${demuxer}" is not an allowed video container`
  return 'ffprobe cannot read it'
}

/**
 * Probes one file with ffprobe and checks it is a clip we accept: a regular
 * file, in an allowed container, with a video stream, a duration, and its
 * last packets present (a file cut short by an interrupted upload passes the
 * header check but fails here, before any encoding starts). With a `cache`,
 * an unchanged file (same device, inode, size, mtime and ctime) accepted
 * before is not probed again; the stat and its checks run every time. With
 * `readHeaders`, a plain H.264/AAC MP4 is read in Node (see
 * {@link readMp4Probe}) and ffprobe runs only for what that reader leaves to it.
 * `ffprobe` resolves the binary's path, asked for only when ffprobe runs.
 */
export async function probeMedia(
  ffprobe: () => Promise<string>,
  file: string,
  signal?: AbortSignal,
  cache?: ProbeCache,
  readHeaders = false,
): Promise<ProbeResult> {
  throwIfAborted(signal)
  const absolute = path.resolve(file)
  const startedAtNs = BigInt(Date.now()) * 1_000_000n
  let info: BigIntStats
  try {
    info = await stat(absolute, { bigint: true })
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ENOTDIR'
    )
      throw clipMissing(file, error)
    throw clipInvalid(file, `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: error,
    })
  }
  // A FIFO or a device would block ffprobe or stream forever.
  if (!info.isFile()) throw clipInvalid(file, 'it is not a regular file')
  if (info.size === 0n) throw clipInvalid(file, 'it is empty')
  const known = cache?.get(absolute, info, file)
  if (known) return known
  if (readHeaders) {
    const quick = await readMp4Probe(absolute, file, Number(info.size)).catch(() => undefined)
    throwIfAborted(signal)
    if (quick) {
      cache?.set(absolute, info, quick, startedAtNs)
      return quick
    }
  }

  const ffprobePath = await ffprobe()
  throwIfAborted(signal)
  const result = await execa(
    ffprobePath,
    [
      '-hide_banner',
      '-v',
      'warning',
      ...inputRestrictions(),
      '-of',
      'json',
      // Also read the packets after a seek past the end: the demuxer lands on
      // the last keyframe, so a truncated file reports "partial file" here.
      // (One -show_entries: with -show_streams beside it ffprobe drops the packets.)
      '-show_entries',
      'packet=stream_index:stream:stream_tags:stream_side_data:stream_disposition:format',
      '-read_intervals',
      '999999%',
      `file:${absolute}`,
    ],
    {
      reject: false,
      stdin: 'ignore',
      maxBuffer: 64 * 1024 * 1024,
      cancelSignal: signal,
      forceKillAfterDelay: 1000,
    },
  )
  if (signal?.aborted) throw abortError(signal)
  if (result.exitCode === undefined) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code
    throw transcodeFailed(`The server cannot run ffprobe${code ? ` (${code})` : ''}`, {
      cause: result.cause,
      details: { ffprobe: ffprobePath, error: result.shortMessage },
    })
  }
  const stderr = String(result.stderr)
  if (result.exitCode !== 0) {
    throw clipInvalid(file, ffprobeRefusal(stderr), {
      details: { stderr: tail(stderr), exit: result.exitCode },
    })
  }
  let raw: RawProbe
  try {
    raw = JSON.parse(String(result.stdout)) as RawProbe
  } catch (error) {
    throw clipInvalid(file, 'ffprobe printed no readable report', { cause: error })
  }
  const container = raw.format?.format_name ?? ''
  if (!(container in ALLOWED_CONTAINERS)) {
    throw clipInvalid(file, `container "${container || 'unknown'}" is not an allowed video container`)
  }
  if (/partial file/i.test(stderr) || (raw.packets?.length ?? 0) === 0) {
    throw clipInvalid(file, 'it is truncated', {
      details: { stderr: tail(stderr, 2), packets: raw.packets?.length ?? 0 },
    })
  }
  const probe: ProbeResult = {
    path: file,
    durationSec: finite(raw.format?.duration) ?? 0,
    container,
    sizeBytes: Number(info.size),
    streams: (raw.streams ?? []).map(toStream),
  }
  if (!videoStream(probe)) throw clipInvalid(file, 'it has no video stream')
  if (!(probe.durationSec > 0)) throw clipInvalid(file, 'it has no duration')
  cache?.set(absolute, info, probe, startedAtNs)
  return probe
}
