// The copy-video strategy end to end: clips with the same video and different
// sound are joined by copying the video packets and encoding one audio track,
// and every join stays in sync.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ffmpegTranscoder } from '../src/index.js'
import { audioInfo, joinDrifts, markerClip, videoHashes } from './av-sync.js'
import { decodeErrors, FFMPEG } from './fixtures.js'

const FRAME = 1 / 25

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

  it('plans the same from headers read in Node (readHeaders, the default) as from ffprobe', async () => {
    const inputs = [stereo48, silent, mono, longSound].map((p) => ({ path: p }))
    const fromHeaders = await transcoder.plan(inputs)
    const fromFfprobe = await ffmpegTranscoder({ readHeaders: false }).plan(inputs)
    expect(fromHeaders.strategy).toBe('copy-video')
    expect(fromHeaders.reason).toBe(fromFfprobe.reason)
    expect(fromHeaders.concatList).toBe(fromFfprobe.concatList)
    expect(fromHeaders.args.slice(0, -1)).toEqual(fromFfprobe.args.slice(0, -1))
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
