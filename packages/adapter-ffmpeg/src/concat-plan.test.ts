import type { ConcatInput, ConcatStrategy, ProbeResult } from '@mastervideo/core'
import { describe, expect, it } from 'vitest'
import { clip } from '../test/fake-probe.js'
import { copyCompatibility, videoCopyCompatibility } from './concat-compat.js'
import {
  buildPlan,
  type ConcatPlan,
  chooseStrategy,
  copyRefusal,
  fallbackPlan,
  placeInput,
} from './concat-plan.js'

const paths = { output: '/out/.master.mp4.partial', list: '/tmp/mv/concat.txt' }
const profile = { preset: 'ultrafast' }

function setup(inputs: ConcatInput[], probes: ProbeResult[]) {
  const placed = inputs.map((input, index) => placeInput(input, probes[index] as ProbeResult, index))
  return { placed, paths, profile }
}

const clips = [clip('a.mp4'), clip('b.mp4')]
const whole: ConcatInput[] = [{ path: '/clips/a.mp4' }, { path: '/clips/b.mp4' }]
const trimmed: ConcatInput[] = [{ path: '/clips/a.mp4', trimStart: 0.5 }, { path: '/clips/b.mp4' }]

const copyAll = buildPlan({ inputs: whole, probes: clips, strategy: 'auto', profile, paths })
const copyVideo = buildPlan({ inputs: trimmed, probes: clips, strategy: 'auto', profile, paths })
const reencode = buildPlan({ inputs: whole, probes: clips, strategy: 'reencode', profile, paths })
const mixed = [clip('a.mp4'), clip('b.mp4', {}, null)]
const copyVideo2 = buildPlan({ inputs: whole, probes: mixed, strategy: 'auto', profile, paths })

/** How a plan reads in the table: its strategy, and for a copy whether the audio is copied too. */
function shape(plan: ConcatPlan | null): string {
  if (!plan) return 'none'
  if (plan.strategy === 'reencode') return 'reencode'
  if (plan.strategy === 'copy-video') return 'copy video, normalize audio'
  return plan.args.includes('-c:v') ? 'copy video, encode audio' : 'copy all'
}

describe('fallbackPlan', () => {
  it('starts from the plans the table names', () => {
    expect([copyAll, copyVideo, reencode, copyVideo2].map(shape)).toEqual([
      'copy all',
      'copy video, encode audio',
      'reencode',
      'copy video, normalize audio',
    ])
  })

  // plan tried, streams ffmpeg patched (0 video, 1 audio), plan to run next
  const rows: [string, ConcatPlan, ConcatInput[], number[], string][] = [
    ['a clean copy stands', copyAll, whole, [], 'none'],
    ['patched audio: copy the video, encode the audio', copyAll, whole, [1], 'copy video, encode audio'],
    ['patched video: re-encode', copyAll, whole, [0], 'reencode'],
    ['patched video and audio: re-encode', copyAll, whole, [0, 1], 'reencode'],
    ['patched audio that was already encoded: re-encode', copyVideo, trimmed, [1], 'reencode'],
    ['a clean copy with encoded audio stands', copyVideo, trimmed, [], 'none'],
    ['a re-encode is never redone', reencode, whole, [0, 1], 'none'],
    ['copy-video, patched video: re-encode', copyVideo2, whole, [0], 'reencode'],
    ['copy-video, patched (encoded) audio: re-encode', copyVideo2, whole, [1], 'reencode'],
    ['a clean copy-video stands', copyVideo2, whole, [], 'none'],
  ]
  it.each(rows)('%s', (_what, plan, inputs, patched, expected) => {
    const probes = plan === copyVideo2 ? mixed : clips
    const next = fallbackPlan(plan, { nonMonotonous: new Set(patched) }, setup(inputs, probes))
    expect(shape(next)).toBe(expected)
    if (next) expect(next.reason).toContain('non-monotonous timestamps')
  })

  it('ends after at most two redos, whatever ffmpeg keeps reporting', () => {
    const always = { nonMonotonous: new Set([1]) }
    const context = setup(whole, clips)
    const tried: string[] = []
    let plan: ConcatPlan | null = copyAll
    while (plan) {
      tried.push(shape(plan))
      plan = fallbackPlan(plan, always, context)
    }
    expect(tried).toEqual(['copy all', 'copy video, encode audio', 'reencode'])
  })
})

describe('chooseStrategy', () => {
  // clips, strategy requested -> strategy applied (or the start of the refusal)
  const rows: [string, ProbeResult[], ConcatStrategy, string][] = [
    ['matching clips: copy', [clip('a.mp4'), clip('b.mp4')], 'auto', 'copy'],
    ['one clip silent: copy the video', mixed, 'auto', 'copy-video'],
    [
      '44.1 vs 48 kHz: copy the video',
      [clip('a.mp4'), clip('b.mp4', {}, { sampleRate: 44100 })],
      'auto',
      'copy-video',
    ],
    [
      'mono vs stereo: copy the video',
      [clip('a.mp4'), clip('b.mp4', {}, { channels: 1, channelLayout: 'mono' })],
      'auto',
      'copy-video',
    ],
    [
      'MP3 beside AAC: copy the video',
      [clip('a.mp4'), clip('b.mp4', {}, { codec: 'mp3', profile: undefined })],
      'auto',
      'copy-video',
    ],
    [
      'Opus everywhere: copy the video',
      [clip('a.mkv', {}, { codec: 'opus' }), clip('b.mkv', {}, { codec: 'opus' })],
      'auto',
      'copy-video',
    ],
    [
      'video differs too: re-encode',
      [clip('a.mp4'), clip('b.mp4', { frameRate: '25/1' }, null)],
      'auto',
      'reencode',
    ],
    [
      'a video codec MP4 cannot carry: re-encode',
      [clip('a.webm', { codec: 'vp9' }, { codec: 'opus' })],
      'auto',
      'reencode',
    ],
    ['re-encode requested', mixed, 'reencode', 'reencode'],
    ['a forced copy of clips that differ in sound: refused', mixed, 'copy', 'refused'],
  ]
  it.each(rows)('%s', (_what, probes, requested, expected) => {
    let applied: string
    try {
      applied = chooseStrategy(probes, requested).strategy
    } catch (error) {
      expect((error as { code?: string }).code).toBe('INPUT_INVALID')
      applied = 'refused'
    }
    expect(applied).toBe(expected)
  })

  it('explains a copy-video by the clips whose sound differs, and a re-encode by the video', () => {
    expect(chooseStrategy(mixed, 'auto').reason).toBe(
      'video copied; audio normalized to AAC 48 kHz stereo: clip 2 (b.mp4) has no audio',
    )
    const probes = [clip('a.mp4'), clip('b.mp4', { width: 640, height: 360 }, { codec: 'opus' })]
    expect(chooseStrategy(probes, 'auto').reason).toBe(
      're-encode: size differs: clip 2 (b.mp4) has 640x360, clip 1 (a.mp4) has 1280x720',
    )
  })

  it('lists each clip with its length as the demuxer duration in a copy-video list', () => {
    const plan = buildPlan({
      inputs: [
        { path: '/clips/a.mp4', trimEnd: 1.5 },
        { path: '/clips/b.mp4', trimStart: 0.5 },
      ],
      probes: mixed,
      strategy: 'auto',
      profile,
      paths,
    })
    expect(plan.strategy).toBe('copy-video')
    expect(plan.concatList).toBe(
      "ffconcat version 1.0\nfile '/clips/a.mp4'\noutpoint 1.500000\nduration 1.500000\n" +
        "file '/clips/b.mp4'\ninpoint 0.500000\nduration 1.500000\n",
    )
    expect(plan.totalSec).toBe(3)
    expect(plan.outputSize).toEqual({ width: 1280, height: 720 })
  })
})

describe('a forced copy of clips that differ', () => {
  it('says what differs by clip number and file name, and which strategy works', () => {
    const probes = [
      clip('00-intro.mp4', { width: 320, height: 240 }),
      clip('01-bars.mp4', { width: 640, height: 360 }),
    ]
    const error = (() => {
      try {
        return chooseStrategy(
          probes.map((p) => ({ ...p, path: `/srv/assets/${p.path}` })),
          'copy',
        )
      } catch (e) {
        return e
      }
    })() as Error & { code?: string }
    expect(error.code).toBe('INPUT_INVALID')
    expect(error.message).toBe(
      'These clips cannot be joined without re-encoding, because their size differs: clip 2 (01-bars.mp4) is 640x360, clip 1 (00-intro.mp4) is 320x240. Use the `auto` strategy to re-encode when the clips differ.',
    )
    expect(error.message).not.toContain('/srv')
  })

  it.each([
    [
      [clip('a.mp4'), clip('b.mp4', {}, null)],
      'their audio track differs: clip 2 (b.mp4) has no audio, clip 1 (a.mp4) has audio. Use the `auto` strategy to copy the video and re-encode only the audio.',
    ],
    [
      [clip('a.mp4'), clip('b.webm', { codec: 'vp9' })],
      'clip 2 (b.webm) has video codec vp9, which an MP4 cannot carry as is',
    ],
    [[clip('a.mkv', { codec: 'vp9' })], 'This clip cannot be copied without re-encoding'],
  ])('names the difference: %#', (probes, expected) => {
    const videoCopyable = videoCopyCompatibility(probes).compatible
    expect(copyRefusal(probes, copyCompatibility(probes), videoCopyable)).toContain(expected)
  })
})
