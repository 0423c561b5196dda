// A/V sync measured from a joined file: clips with markers (a white first
// frame that is the clip's only keyframe, a beep in its first 50 ms), and the
// drift at each join read back from the output's packets and decoded sound.
// Used by the copy-video tests and its benchmark.
import { execa } from 'execa'
import { FFMPEG, FFPROBE } from './fixtures.js'

/** How a clip sounds: none, or AAC/MP3/Opus at a rate and channel count, lasting `sec` (default: the video's length). */
export interface Sound {
  codec: 'aac' | 'libmp3lame' | 'libopus'
  rate: number
  channels: 1 | 2
  sec?: number
}

/** The picture of a marker clip: a size and rate, and `busy` for a moving test pattern (a realistic encode) instead of black. */
export interface Picture {
  size?: string
  fps?: number
  busy?: boolean
}

/**
 * Writes an H.264 clip (default 320x240 at 25 fps) whose first frame is its
 * only keyframe (white, unless `busy`) and, with `sound`, a 1 kHz beep in its
 * first 50 ms: markers that find each clip's start in the joined video and in
 * the joined sound.
 */
export async function markerClip(
  file: string,
  videoSec: number,
  sound: Sound | null,
  picture: Picture = {},
): Promise<string> {
  const { size = '320x240', fps = 25 } = picture
  const video = picture.busy
    ? `testsrc2=size=${size}:rate=${fps}:duration=${videoSec}`
    : `color=c=black:s=${size}:r=${fps}:d=${videoSec},drawbox=c=white:t=fill:enable='lt(t,${1 / fps})'`
  const args = ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', video]
  if (sound) {
    const beep = `aevalsrc='if(lt(t,0.05),0.8*sin(2*PI*1000*t),0)':s=${sound.rate}:d=${sound.sec ?? videoSec}`
    args.push('-f', 'lavfi', '-i', beep)
  }
  const preset = picture.busy ? 'veryfast' : 'ultrafast'
  args.push('-c:v', 'libx264', '-preset', preset, '-pix_fmt', 'yuv420p', '-g', '100000')
  if (sound) args.push('-c:a', sound.codec, '-ac', String(sound.channels))
  await execa(FFMPEG, [...args, file])
  return file
}

/** The video packets' sizes and hashes (`-c copy`), or the decoded frames' hashes, in order. */
export async function videoHashes(
  file: string,
  what: 'packets' | 'frames',
): Promise<{ size: number; hash: string }[]> {
  const copy = what === 'packets' ? ['-c', 'copy'] : []
  const { stdout } = await execa(FFMPEG, [
    '-v',
    'error',
    '-i',
    file,
    '-map',
    '0:v:0',
    ...copy,
    '-f',
    'framemd5',
    '-',
  ])
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const fields = line.split(',').map((field) => field.trim())
      return { size: Number(fields[4]), hash: fields[5] as string }
    })
}

/** Presentation times of the video keyframes, from the packets: one per clip (each has a single keyframe). */
export async function keyframeTimes(file: string): Promise<number[]> {
  const { stdout } = await execa(FFPROBE, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'packet=pts_time,flags',
    '-of',
    'csv=p=0',
    file,
  ])
  return stdout
    .split('\n')
    .filter((line) => line.includes('K'))
    .map((line) => Number(line.split(',')[0]))
    .sort((a, b) => a - b)
}

export interface AudioInfo {
  streams: number
  codec?: string
  sampleRate?: number
  channelLayout?: string
  /** The first audio packet's presentation time. */
  startSec: number
}

export async function audioInfo(file: string): Promise<AudioInfo> {
  const { stdout } = await execa(FFPROBE, [
    '-v',
    'error',
    '-select_streams',
    'a',
    '-show_entries',
    'stream=codec_name,sample_rate,channel_layout,start_time',
    '-of',
    'json',
    file,
  ])
  const streams = (
    JSON.parse(stdout) as {
      streams: { codec_name: string; sample_rate: string; channel_layout: string; start_time: string }[]
    }
  ).streams
  const first = streams[0]
  return {
    streams: streams.length,
    codec: first?.codec_name,
    sampleRate: first ? Number(first.sample_rate) : undefined,
    channelLayout: first?.channel_layout,
    startSec: first ? Number(first.start_time) : 0,
  }
}

/** Seconds at which each beep starts on the audio stream's timeline (its first packet's time plus samples decoded). */
export async function beepOnsets(file: string, startSec: number): Promise<number[]> {
  const { stdout } = await execa(
    FFMPEG,
    ['-v', 'error', '-i', file, '-vn', '-ac', '1', '-ar', '48000', '-f', 's16le', '-c:a', 'pcm_s16le', '-'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  )
  const samples = new Int16Array(stdout.buffer, stdout.byteOffset, stdout.length / 2)
  const onsets: number[] = []
  let quiet = Number.POSITIVE_INFINITY
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i] as number) > 3000) {
      if (quiet > 4800) onsets.push(startSec + i / 48000)
      quiet = 0
    } else quiet++
  }
  return onsets
}

/**
 * A/V drift at every join that has a beep: |audio start - video start| of
 * that clip, both read from the output (keyframe packet times, beep onsets
 * on the audio packets' timeline). `sounding[i]`: clip i has a beep. Throws
 * when the markers found do not match the clips (a lost keyframe or beep).
 */
export async function joinDrifts(file: string, sounding: boolean[]): Promise<number[]> {
  const audio = await audioInfo(file)
  const [keys, beeps] = await Promise.all([keyframeTimes(file), beepOnsets(file, audio.startSec)])
  const beeping = sounding.filter(Boolean).length
  if (keys.length !== sounding.length || beeps.length !== beeping) {
    throw new Error(
      `expected ${sounding.length} keyframes and ${beeping} beeps in ${file}, found ${keys.length} and ${beeps.length}`,
    )
  }
  const starts = keys.filter((_, index) => sounding[index])
  return starts.map((videoStart, index) => Math.abs((beeps[index] as number) - videoStart))
}
