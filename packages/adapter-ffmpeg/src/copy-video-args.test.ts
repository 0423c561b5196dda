import { describe, expect, it } from 'vitest'
import { clip } from '../test/fake-probe.js'
import { audioSlots, copyVideoArgs } from './copy-video-args.js'
import type { PlacedInput } from './ffmpeg-args.js'

const placed = (durationSec: number, probe = clip('a.mp4')): PlacedInput => ({ probe, durationSec })

describe('audioSlots', () => {
  it('rounds each boundary once, so the sound never drifts from the video however many clips', () => {
    // A 29.97 fps frame is 1471.47 samples at 44.1 kHz: rounded per clip, 1000 of them would drift by 10 ms.
    const inputs = Array.from({ length: 1000 }, () => placed(1.001 / 30))
    const slots = audioSlots(inputs, 44100)
    const total = slots.reduce((sum, n) => sum + n, 0)
    expect(total).toBe(Math.round(1000 * (1.001 / 30) * 44100))
    expect(Math.max(...slots) - Math.min(...slots)).toBeLessThanOrEqual(1)
  })
})

describe('copyVideoArgs', () => {
  it('reads the video from the list, the sound from each clip that has some, and makes silence for the others', () => {
    const args = copyVideoArgs({
      list: '/tmp/mv/concat.txt',
      output: '/out/o.mp4',
      inputs: [
        placed(1),
        placed(2, clip('silent.mp4', {}, null)),
        { ...placed(0.5, clip('c.mp4', {}, { sampleRate: 44100 })), trimStart: 0.25, trimEnd: 0.75 },
      ],
      target: { sampleRate: 48000, layout: 'stereo', channels: 2 },
    })
    const inputs = args.flatMap((arg, i) => (arg === '-i' ? [args[i + 1]] : []))
    expect(inputs).toEqual(['file:/tmp/mv/concat.txt', 'file:/clips/a.mp4', 'file:/clips/c.mp4'])
    expect(args.slice(args.indexOf('-seek_timestamp'), args.indexOf('-seek_timestamp') + 4)).toEqual([
      '-seek_timestamp',
      '1',
      '-f',
      'concat',
    ])
    const graph = args[args.indexOf('-filter_complex') + 1] as string
    expect(graph.split(';')).toEqual([
      '[1:a:0]aresample=48000:async=1:first_pts=0,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,apad,atrim=end_sample=48000[a0]',
      'anullsrc=r=48000:cl=stereo,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,atrim=end_sample=96000[a1]',
      '[2:a:0]aresample=48000:async=1:first_pts=0,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo,apad,atrim=end_sample=24000[a2]',
      '[a0][a1][a2]concat=n=3:v=0:a=1[a]',
    ])
    // The trimmed clip's sound is cut by input seeks, as the re-encode does.
    expect(args.join(' ')).toContain('-ss 0.250000 -t 0.500000 -f mov -i file:/clips/c.mp4')
    expect(args).toEqual(expect.arrayContaining(['-map', '0:v:0', '-c:v', 'copy', '-c:a', 'aac']))
    expect(args.at(-1)).toBe('file:/out/o.mp4')
  })

  it('tags HEVC as hvc1', () => {
    const hevc = clip('h.mp4', { codec: 'hevc' })
    const args = copyVideoArgs({
      list: '/l.txt',
      output: '/o.mp4',
      inputs: [placed(1, hevc), placed(1, clip('i.mp4', { codec: 'hevc' }, null))],
      target: { sampleRate: 48000, layout: 'stereo', channels: 2 },
    })
    expect(args.join(' ')).toContain('-tag:v hvc1')
  })
})
