// Rows for the copy-video strategy (video copied, audio normalized), for a
// bench to call: `rows.push(...(await copyVideoRows(ctx)))`. Not a bench file
// of its own, so the runner does not pick it up twice.
//
// 1. Wall time of the SDK joining clips whose video matches and whose sound
//    differs (48 kHz stereo AAC, silent, 44.1 kHz mono AAC): `auto` picks
//    copy-video; against the full re-encode of the same clips (`reencode`,
//    libx264 medium CRF 23), interleaved rounds. Goal: 30x faster.
// 2. The largest A/V drift at any join of that output, from its packet
//    timestamps (each clip's keyframe) and its decoded beeps. Goal: one frame.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  atMost,
  type BenchContext,
  type BenchRow,
  interleaved,
  measured,
  ratioAtMost,
  timed,
} from '../../../bench/harness.js'
import { ffmpegTranscoder } from '../src/index.js'
import { joinDrifts, markerClip, type Sound } from '../test/av-sync.js'

/** The sound of each clip, in join order: what differs between them is what copy-video normalizes. */
const SOUNDS: (Sound | null)[] = [
  { codec: 'aac', rate: 48000, channels: 2 },
  null,
  { codec: 'aac', rate: 44100, channels: 1 },
]

/** Sizes of a full run (3 x 10 s 720p30, as the copy rows), and tiny ones for `--quick`. */
const sizes = (quick: boolean) =>
  quick ? { size: '320x240', seconds: 1 } : { size: '1280x720', seconds: 10 }

/**
 * Measures copy-video against the full re-encode of the same clips, and the
 * A/V drift at its joins; returns the two rows.
 *
 * @example
 * ```ts
 * import { copyVideoRows } from './copy-video-rows.js'
 *
 * export default async function ffmpegBench(ctx: BenchContext): Promise<BenchRow[]> {
 *   return [...(await copyVideoRows(ctx))]
 * }
 * ```
 */
export async function copyVideoRows(ctx: BenchContext): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-copy-video-bench-'))
  const { size, seconds } = sizes(ctx.quick)
  const fps = 30
  try {
    const clips = await Promise.all(
      SOUNDS.map((sound, index) =>
        markerClip(path.join(dir, `clip-${index}.mp4`), seconds, sound, { size, fps, busy: true }),
      ),
    )
    const inputs = clips.map((file) => ({ path: file }))
    const transcoder = ffmpegTranscoder()
    const copyVideoOut = path.join(dir, 'copy-video.mp4')
    const plan = await transcoder.plan(inputs)
    if (plan.strategy !== 'copy-video') throw new Error(`auto chose ${plan.strategy}: ${plan.reason}`)

    const runs = await interleaved(ctx.rounds, {
      copyVideo: () => timed(() => transcoder.concat({ inputs, output: copyVideoOut })),
      reencode: () =>
        timed(() =>
          transcoder.concat({ inputs, output: path.join(dir, 'reencode.mp4'), strategy: 'reencode' }),
        ),
    })
    const drifts = await joinDrifts(
      copyVideoOut,
      SOUNDS.map((sound) => sound !== null),
    )
    const label = `3 x ${seconds} s ${size.split('x')[1]}p${fps}, one clip silent, one 44.1 kHz mono`
    return [
      {
        name: `concat ${label}: auto (video copied, audio normalized)`,
        unit: 'ms',
        subject: measured(runs.copyVideo),
        reference: {
          name: 'full re-encode of the same clips (libx264 medium CRF 23)',
          value: measured(runs.reencode),
        },
        better: 'lower',
        goal: ratioAtMost(1 / 30),
        why: 'copy-video decodes and encodes only the sound; what is left is reading the clips twice and writing the file',
        headline: true,
      },
      {
        name: `A/V drift at the worst join, ${label}: auto (video copied, audio normalized)`,
        unit: 'ms',
        subject: measured([Math.max(...drifts) * 1000]),
        better: 'lower',
        goal: atMost(1000 / fps),
      },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
