import type { ProbeResult } from '@mastervideo/core'
import { describe, expect, it } from 'vitest'
import { clip } from '../test/fake-probe.js'
import { copyCompatibility, videoCopyCompatibility } from './concat-compat.js'

describe('copyCompatibility', () => {
  it('accepts clips equal on everything a copy needs', () => {
    expect(copyCompatibility([clip('a.mp4'), clip('b.mp4'), clip('c.mp4')]).compatible).toBe(true)
  })

  it('names the first differing property and both clips', () => {
    const cases: [ProbeResult, string][] = [
      [
        clip('b.mp4', { profile: 'Main' }),
        'video profile differs: clip 2 (b.mp4) has Main, clip 1 (a.mp4) has High',
      ],
      [clip('b.mp4', { width: 1920, height: 1080 }), 'size differs: clip 2 (b.mp4) has 1920x1080'],
      [clip('b.mp4', { rotation: 90 }), 'rotation differs: clip 2 (b.mp4) has 90°'],
      [clip('b.mp4', { sar: '4:3' }), 'sample aspect ratio differs'],
      [clip('b.mp4', { pixelFormat: 'yuv444p' }), 'pixel format differs'],
      [
        clip('b.mp4', { frameRate: '25/1' }),
        'frame rate differs: clip 2 (b.mp4) has 25 fps, clip 1 (a.mp4) has 30 fps',
      ],
      [clip('b.mp4', { timeBase: '1/90000' }), 'video time base differs'],
      [
        clip('b.mp4', { index: 1 }),
        'video stream position differs: clip 2 (b.mp4) has #1, clip 1 (a.mp4) has #0',
      ],
      [clip('b.mp4', {}, null), 'audio track differs: clip 2 (b.mp4) has absent'],
      [clip('b.mp4', {}, { sampleRate: 44100 }), 'audio sample rate differs'],
      [clip('b.mp4', {}, { channels: 1, channelLayout: 'mono' }), 'audio channel layout differs'],
      [
        clip('b.mp4', { codec: 'vp9' }),
        'clip 2 (b.mp4) has video codec vp9, which an MP4 cannot carry as is',
      ],
    ]
    for (const [second, reason] of cases) {
      const result = copyCompatibility([clip('a.mp4'), second])
      expect(result.compatible).toBe(false)
      expect(result.reason).toContain(reason)
    }
  })

  it('treats 30000/1001 and 2997/100 as the same rate: a copy keeps packet timestamps', () => {
    expect(
      copyCompatibility([
        clip('a.mp4', { frameRate: '30000/1001' }),
        clip('b.mp4', { frameRate: '2997/100' }),
      ]).compatible,
    ).toBe(true)
  })
})

describe('videoCopyCompatibility', () => {
  it('accepts clips whose video matches whatever their sound', () => {
    const probes = [
      clip('a.mp4'),
      clip('b.mp4', {}, null),
      clip('c.mp4', {}, { sampleRate: 44100 }),
      clip('d.mp4', {}, { channels: 1, channelLayout: 'mono' }),
      clip('e.mkv', {}, { codec: 'opus', profile: undefined }),
    ]
    expect(copyCompatibility(probes).compatible).toBe(false)
    const video = videoCopyCompatibility(probes)
    expect(video.compatible).toBe(true)
    expect(video.reason).toMatch(/^all 5 clips match: video codec h264, .*video time base 1\/15360$/)
  })

  it('refuses what the video copy cannot do, naming it', () => {
    const cases: [ProbeResult, string][] = [
      [clip('b.mp4', { frameRate: '25/1' }), 'frame rate differs: clip 2 (b.mp4) has 25 fps'],
      [clip('b.webm', { codec: 'vp9' }, { codec: 'opus' }), 'clip 2 (b.webm) has video codec vp9'],
      [clip('b.mp4', { index: 1 }), 'video stream position differs'],
    ]
    for (const [second, reason] of cases) {
      const result = videoCopyCompatibility([clip('a.mp4'), second])
      expect(result.compatible).toBe(false)
      expect(result.reason).toContain(reason)
    }
  })
})
