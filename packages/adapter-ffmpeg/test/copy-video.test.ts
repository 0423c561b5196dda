// The copy-video strategy end to end: clips with the same video and different
// sound are joined by copying the video packets and encoding one audio track,
// and every join stays in sync.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { decodeErrors, FFMPEG, FFPROBE } from './fixtures.js'

const FPS = 25
const FRAME = 1 / FPS

/** How a clip sounds: none, or AAC/MP3/Opus at a rate and channel count, lasting `sec` (default: the video's length). */
interface Sound {
  codec: 'aac' | 'libmp3lame' | 'libopus'
  rate: number
  channels: 1 | 2
  sec?: number
}

/**
 * Writes a 320x240 25 fps H.264 clip: black with a white first frame (its
 * only keyframe) and, with `sound`, a 1 kHz beep in its first 50 ms: markers
 * that find each clip's start in the joined video and in the joined sound.
 */
async function markerClip(file: string, videoSec: number, sound: Sound | null): Promise<string> {
  const video = `color=c=black:s=320x240:r=${FPS}:d=${videoSec},drawbox=c=white:t=fill:enable='lt(t,${FRAME})'`
  const args = ['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', video]
  if (sound) {
    const beep = `aevalsrc='if(lt(t,0.05),0.8*sin(2*PI*1000*t),0)':s=${sound.rate}:d=${sound.sec ?? videoSec}`
    args.push('-f', 'lavfi', '-i', beep)
  }
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '1000')
  if (sound) args.push('-c:a', sound.codec, '-ac', String(sound.channels))
  await execa(FFMPEG, [...args, file])
  return file
}

/** The video packets' sizes and hashes (`-c copy`), or the decoded frames' hashes, in order. */
async function videoHashes(
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

/**
 * Checks the output's video is the clips' video copied: as many packets,
 * each the same bytes, except that the concat demuxer writes the parameter
 * sets (SPS, PPS: a few dozen bytes) in band into each clip's first
 * keyframe, as on every copy path; and the decoded frames are identical.
 */
async function expectVideoCopied(clips: string[], out: string): Promise<void> {
  const perClip = await Promise.all(clips.map((clip) => videoHashes(clip, 'packets')))
  const written = await videoHashes(out, 'packets')
  expect(written).toHaveLength(perClip.reduce((sum, packets) => sum + packets.length, 0))
  let at = 0
  for (const packets of perClip) {
    for (const [index, packet] of packets.entries()) {
      const copied = written[at++] as { size: number; hash: string }
      if (index === 0) {
        expect(copied.size - packet.size).toBeGreaterThanOrEqual(0)
        expect(copied.size - packet.size).toBeLessThan(100)
      } else expect(copied).toEqual(packet)
    }
  }
  const frames = (await Promise.all(clips.map((clip) => videoHashes(clip, 'frames')))).flat()
  expect(await videoHashes(out, 'frames')).toEqual(frames)
}

/** Presentation times of the video keyframes, from the packets: one per clip (each has a single keyframe). */
async function keyframeTimes(file: string): Promise<number[]> {
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

interface AudioInfo {
  streams: number
  codec?: string
  sampleRate?: number
  channelLayout?: string
  /** The first audio packet's presentation time. */
  startSec: number
}

async function audioInfo(file: string): Promise<AudioInfo> {
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
async function beepOnsets(file: string, startSec: number): Promise<number[]> {
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
 * on the audio packets' timeline). `sounding[i]`: clip i has a beep.
 */
async function joinDrifts(file: string, sounding: boolean[]): Promise<number[]> {
  const audio = await audioInfo(file)
  const [keys, beeps] = await Promise.all([keyframeTimes(file), beepOnsets(file, audio.startSec)])
  expect(keys).toHaveLength(sounding.length)
  expect(beeps).toHaveLength(sounding.filter(Boolean).length)
  const starts = keys.filter((_, index) => sounding[index])
  return starts.map((videoStart, index) => Math.abs((beeps[index] as number) - videoStart))
}

const transcoder = ffmpegTranscoder()
let dir: string
/** Same video (320x240, 25 fps, H.264), sound varied; lengths varied so a misplaced join would show. */
let stereo48: string
let silent: string
let rate44: string
let mono: string
let mp3: string
let longSound: string // sound 0.5 s longer than its video
let shortSound: string // sound ends 0.6 s before its video

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-copy-video-'))
  const at = (name: string) => path.join(dir, name)
  ;[stereo48, silent, rate44, mono, mp3, longSound, shortSound] = await Promise.all([
    markerClip(at('stereo48.mp4'), 1.2, { codec: 'aac', rate: 48000, channels: 2 }),
    markerClip(at('silent.mp4'), 1, null),
    markerClip(at('rate44.mp4'), 1.4, { codec: 'aac', rate: 44100, channels: 2 }),
    markerClip(at('mono.mp4'), 1, { codec: 'aac', rate: 48000, channels: 1 }),
    markerClip(at('mp3.mp4'), 1.6, { codec: 'libmp3lame', rate: 48000, channels: 2 }),
    markerClip(at('long-sound.mp4'), 1, { codec: 'aac', rate: 48000, channels: 2, sec: 1.5 }),
    markerClip(at('short-sound.mp4'), 1.2, { codec: 'aac', rate: 48000, channels: 2, sec: 0.6 }),
  ])
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('copy-video: the video copied, the audio normalized', () => {
  it('is what auto picks when only the sound differs, and plan() says why', async () => {
    const plan = await transcoder.plan([stereo48, silent, rate44, mono, mp3].map((p) => ({ path: p })))
    expect(plan.strategy).toBe('copy-video')
    expect(plan.reason).toBe(
      'video copied; audio normalized to AAC 48 kHz stereo: clip 2 (silent.mp4) has no audio, ' +
        'clip 3 (rate44.mp4) is 44.1 kHz, clip 4 (mono.mp4) is mono, clip 5 (mp3.mp4) has mp3 audio',
    )
    expect(plan.args).toEqual(
      expect.arrayContaining(['-c:v', 'copy', '-c:a', 'aac', '-ar', '48000', '-ac', '2']),
    )
    // Each list entry carries the clip's video length, where the next clip starts.
    expect(plan.concatList?.match(/^duration .+$/gm)).toEqual([
      'duration 1.200000',
      'duration 1.000000',
      'duration 1.400000',
      'duration 1.000000',
      'duration 1.600000',
    ])
    // The silent clip is no input: its silence is generated.
    expect(plan.args.filter((arg) => arg === '-i')).toHaveLength(5)
  })

  it('writes one AAC track at the chosen rate and layout, the video bit for bit, every join within a frame', async () => {
    const clips = [stereo48, silent, rate44, mono, mp3, longSound, shortSound]
    const out = path.join(dir, 'joined.mp4')
    const progress: number[] = []
    const result = await transcoder.concat({
      inputs: clips.map((p) => ({ path: p })),
      output: out,
      onProgress: (f) => progress.push(f),
    })
    expect(result.strategy).toBe('copy-video')
    expect(result.reason).toContain('clip 2 (silent.mp4) has no audio')
    expect(progress.at(-1)).toBe(1)

    const audio = await audioInfo(out)
    expect(audio).toMatchObject({ streams: 1, codec: 'aac', sampleRate: 48000, channelLayout: 'stereo' })

    await expectVideoCopied(clips, out)

    const drifts = await joinDrifts(out, [true, false, true, true, true, true, true])
    // Measured with the bundled ffmpeg: under 0.1 ms at every join.
    for (const drift of drifts) expect(drift).toBeLessThanOrEqual(FRAME)
    expect(await decodeErrors(out)).toBe('')
  })

  it('starts with a silent clip and honours trims: the sound follows the trimmed video', async () => {
    const out = path.join(dir, 'trimmed.mp4')
    const result = await transcoder.concat({
      inputs: [{ path: silent }, { path: rate44, trimEnd: 0.8 }, { path: mono }, { path: longSound }],
      output: out,
    })
    expect(result.strategy).toBe('copy-video')
    expect(Math.abs(result.durationSec - (1 + 0.8 + 1 + 1))).toBeLessThan(0.05)
    expect(await audioInfo(out)).toMatchObject({ streams: 1, sampleRate: 48000, channelLayout: 'stereo' })
    const drifts = await joinDrifts(out, [false, true, true, true])
    for (const drift of drifts) expect(drift).toBeLessThanOrEqual(FRAME)
  })

  it('falls back to a full re-encode when the copied video has non-monotonous timestamps', async () => {
    // A cut between keyframes: the copy starts at the keyframe before it, over the previous clip's end.
    const out = path.join(dir, 'fallback.mp4')
    const result = await transcoder.concat({
      inputs: [{ path: stereo48 }, { path: silent, trimStart: 0.5 }],
      output: out,
      profile: { preset: 'ultrafast' },
    })
    expect(result.strategy).toBe('reencode')
    expect(result.reason).toMatch(/^re-encode: the video copy had non-monotonous timestamps \(video copied; /)
    expect(Math.abs(result.durationSec - 1.7)).toBeLessThan(0.1)
  })

  it('keeps mono when every clip with sound is mono', async () => {
    const plan = await transcoder.plan([{ path: mono }, { path: silent }])
    expect(plan.strategy).toBe('copy-video')
    expect(plan.reason).toBe(
      'video copied; audio normalized to AAC 48 kHz mono: clip 2 (silent.mp4) has no audio',
    )
    expect(plan.args).toEqual(expect.arrayContaining(['-ac', '1']))
  })

  it('joins Matroska clips with Opus sound into an MP4 with AAC', async () => {
    const opus = await markerClip(path.join(dir, 'opus.mkv'), 1, {
      codec: 'libopus',
      rate: 48000,
      channels: 2,
    })
    const aac = await markerClip(path.join(dir, 'aac44.mkv'), 1.2, { codec: 'aac', rate: 44100, channels: 2 })
    const out = path.join(dir, 'from-mkv.mp4')
    const result = await transcoder.concat({ inputs: [{ path: opus }, { path: aac }], output: out })
    expect(result.strategy).toBe('copy-video')
    expect(result.reason).toContain('clip 1 (opus.mkv) has opus audio')
    expect(await audioInfo(out)).toMatchObject({ streams: 1, codec: 'aac', sampleRate: 48000 })
    const drifts = await joinDrifts(out, [true, true])
    for (const drift of drifts) expect(drift).toBeLessThanOrEqual(FRAME)
  })

  it('a forced copy is still refused, and says auto would copy the video', async () => {
    const error = await transcoder
      .concat({
        inputs: [{ path: stereo48 }, { path: silent }],
        output: path.join(dir, 'never.mp4'),
        strategy: 'copy',
      })
      .catch((e: unknown) => e)
    expect((error as { code?: string }).code).toBe('INPUT_INVALID')
    expect((error as Error).message).toContain(
      'their audio track differs: clip 2 (silent.mp4) has no audio, clip 1 (stereo48.mp4) has audio. ' +
        'Use the `auto` strategy to copy the video and re-encode only the audio.',
    )
  })

  it('re-encodes when the video differs too', async () => {
    const other = path.join(dir, 'wide.mp4')
    await execa(FFMPEG, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=c=black:s=320x180:r=25:d=1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      other,
    ])
    const plan = await transcoder.plan([{ path: stereo48 }, { path: other }])
    expect(plan.strategy).toBe('reencode')
    expect(plan.reason).toContain('re-encode: size differs')
  })
})
