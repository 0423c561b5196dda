import { describe, expect, it } from 'vitest'
import { clip } from '../test/fake-probe.js'
import { audioNote, audioTarget, copyVideoReason } from './audio-target.js'

describe('audioTarget', () => {
  it.each([
    ['48 kHz stereo when no clip has sound', [clip('a.mp4', {}, null)], 48000, 'stereo'],
    [
      'the highest rate, at most 48 kHz',
      [clip('a.mp4', {}, { sampleRate: 44100 }), clip('b.mp4', {}, { sampleRate: 96000 })],
      48000,
      'stereo',
    ],
    [
      '44.1 kHz when every clip is 44.1 kHz',
      [clip('a.mp4', {}, { sampleRate: 44100, codec: 'mp3' }), clip('b.mp4', {}, null)],
      44100,
      'stereo',
    ],
    [
      'mono when every clip with sound is mono',
      [clip('a.mp4', {}, { channels: 1 }), clip('b.mp4', {}, null)],
      48000,
      'mono',
    ],
    ['stereo when one clip is stereo', [clip('a.mp4', {}, { channels: 1 }), clip('b.mp4')], 48000, 'stereo'],
    [
      'stereo for surround (mixed down)',
      [clip('a.mp4', {}, { channels: 6, channelLayout: '5.1' })],
      48000,
      'stereo',
    ],
  ])('%s', (_what, probes, sampleRate, layout) => {
    expect(audioTarget(probes)).toMatchObject({ sampleRate, layout, channels: layout === 'mono' ? 1 : 2 })
  })
})

describe('copyVideoReason', () => {
  const target = { sampleRate: 48000, layout: 'stereo', channels: 2 } as const

  it('names each clip whose sound differs from the target, and how', () => {
    const probes = [
      clip('a.mp4'),
      clip('b.mp4', {}, null),
      clip('c.mp4', {}, { sampleRate: 44100 }),
      clip('d.mp4', {}, { channels: 1 }),
      clip('e.mkv', {}, { codec: 'opus', sampleRate: 44100, channels: 1 }),
    ]
    expect(copyVideoReason(probes, target, 'unused')).toBe(
      'video copied; audio normalized to AAC 48 kHz stereo: clip 2 (b.mp4) has no audio, ' +
        'clip 3 (c.mp4) is 44.1 kHz, clip 4 (d.mp4) is mono, clip 5 (e.mkv) has opus audio and is 44.1 kHz and is mono',
    )
  })

  it('counts the clips past the fourth', () => {
    const probes = [clip('a.mp4'), ...Array.from({ length: 6 }, (_, i) => clip(`s${i}.mp4`, {}, null))]
    expect(copyVideoReason(probes, target, 'unused')).toMatch(
      /clip 5 \(s3\.mp4\) has no audio and 2 more clips$/,
    )
  })

  it('says what the clips differ in when none differs from the target', () => {
    const probes = [clip('a.mp4'), clip('b.mp4', {}, { profile: 'HE-AAC' })]
    expect(audioNote(probes[1] as (typeof probes)[number], target)).toBeNull()
    expect(copyVideoReason(probes, target, 'audio profile differs: clip 2 (b.mp4) has HE-AAC')).toBe(
      'video copied; audio normalized to AAC 48 kHz stereo: audio profile differs: clip 2 (b.mp4) has HE-AAC',
    )
  })
})
