// Test clips, generated with ffmpeg's lavfi sources by the pair the
// transcoder itself picks (a current one on PATH, else the bundled one):
// nothing binary is committed, and CI needs no system ffmpeg.
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { execa } from 'execa'
import { resolveBinaries } from '../src/ffmpeg-binaries.js'

const pair = await resolveBinaries({})
export const FFMPEG: string = pair.ffmpeg
export const FFPROBE: string = pair.ffprobe

/** How to make one clip. */
export interface ClipSpec {
  width?: number
  height?: number
  fps?: number
  durationSec?: number
  /** Default true. */
  audio?: boolean
  /** Written as the `rotate` tag (a phone held upright). */
  rotate?: number
  /** A white first frame and a 1 kHz beep in the first 50 ms: markers to find joins by. */
  markers?: boolean
  /** Frames between keyframes. Default 10 seconds' worth. */
  gop?: number
}

/** Writes an H.264/AAC MP4 like a phone or a generator would, fast (ultrafast preset). */
export async function makeClip(file: string, spec: ClipSpec = {}): Promise<string> {
  const { width = 320, height = 240, fps = 25, durationSec = 1, audio = true } = spec
  const size = `${width}x${height}`
  const video = spec.markers
    ? `color=c=black:s=${size}:r=${fps}:d=${durationSec},drawbox=c=white:t=fill:enable='lt(t,${1 / fps})'`
    : `testsrc=size=${size}:rate=${fps}:duration=${durationSec}`
  const sound = spec.markers
    ? `aevalsrc='if(lt(t,0.05),0.8*sin(2*PI*1000*t),0)':s=48000:d=${durationSec}`
    : `sine=frequency=440:sample_rate=48000:duration=${durationSec}`
  const args = ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', video]
  if (audio) args.push('-f', 'lavfi', '-i', sound)
  args.push(
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(spec.gop ?? fps * 10),
  )
  if (audio) args.push('-c:a', 'aac', '-ac', '2', '-shortest')
  if (spec.rotate === undefined) {
    await execa(FFMPEG, [...args, file])
    return file
  }
  // The rotate tag survives only a remux (an encode drops it).
  const plain = `${file}.plain.mp4`
  await execa(FFMPEG, [...args, plain])
  await execa(FFMPEG, [
    '-v',
    'error',
    '-y',
    '-i',
    plain,
    '-c',
    'copy',
    '-metadata:s:v:0',
    `rotate=${spec.rotate}`,
    file,
  ])
  await rm(plain)
  return file
}

/** Writes `count` clips of the same spec into `dir`. */
export async function makeClips(dir: string, count: number, spec: ClipSpec = {}): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => makeClip(path.join(dir, `clip-${i}.mp4`), spec)))
}

/** Durations of a file's video and audio streams and its format, by ffprobe. */
export async function durations(file: string): Promise<{ format: number; video?: number; audio?: number }> {
  const { stdout } = await execa(FFPROBE, [
    '-v',
    'error',
    '-of',
    'json',
    '-show_entries',
    'format=duration:stream=codec_type,duration',
    file,
  ])
  const json = JSON.parse(stdout) as {
    format: { duration: string }
    streams: { codec_type: string; duration?: string }[]
  }
  const of = (type: string) => {
    const d = json.streams.find((s) => s.codec_type === type)?.duration
    return d === undefined ? undefined : Number(d)
  }
  return { format: Number(json.format.duration), video: of('video'), audio: of('audio') }
}

/** Decodes the whole file; returns ffmpeg's error output (empty when it decodes cleanly). */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await execa(FFMPEG, ['-v', 'error', '-i', file, '-f', 'null', '-'], { reject: false })
  return String(stderr).trim()
}

/** Width, height and rotation of a file's video stream, by ffprobe. */
export async function videoInfo(file: string): Promise<{ width: number; height: number; rotation: number }> {
  const { stdout } = await execa(FFPROBE, [
    '-v',
    'error',
    '-of',
    'json',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height:stream_tags=rotate:stream_side_data=rotation',
    file,
  ])
  const stream = (
    JSON.parse(stdout) as {
      streams: {
        width: number
        height: number
        tags?: { rotate?: string }
        side_data_list?: { rotation?: number }[]
      }[]
    }
  ).streams[0]
  if (!stream) throw new Error(`no video stream in ${file}`)
  const rotation = Number(stream.tags?.rotate ?? stream.side_data_list?.[0]?.rotation ?? 0)
  return { width: stream.width, height: stream.height, rotation }
}

/** Whether the process is still there (a zombie counts as gone: it runs nothing). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const status = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8') as string
    return !/^\d+ \(.*\) Z/.test(status)
  } catch {
    return false
  }
}

/**
 * Writes an executable stand-in for ffmpeg: `body` is a POSIX shell script
 * (only the test's fake uses a shell; the transcoder never does).
 */
export async function fakeFfmpeg(file: string, body: string): Promise<string> {
  const { writeFile, chmod } = await import('node:fs/promises')
  await writeFile(file, `#!/bin/sh\n${body}\n`)
  await chmod(file, 0o755)
  return file
}
