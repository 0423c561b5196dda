// The realistic workload: 10 clips x 60 s of 1080p30 with sound, joined three
// ways, each by the SDK (`ffmpegTranscoder().concat` as a worker calls it: a
// transcoder that has not seen the clips, so every clip is probed), by the
// ffmpeg command line the SDK runs (`plan().args`), raw, and — in the
// re-encode group — by the original system's command (the concat demuxer,
// libx264 medium CRF 23, AAC):
// 1. copy: clips alike in codec parameters, `auto` copies them;
// 2. copy-video: the same video, one clip silent and one 44.1 kHz mono, `auto`
//    copies the video and encodes only the sound;
// 3. full re-encode of the copy-video clips (`strategy: 'reencode'`), and the
//    original system's command on them. One round: an x264 medium encode of
//    600 s of 1080p takes 20-30 min on two cores, so this group runs only
//    with BENCH_REALISTIC_REENCODE=1 (about 1 h 20 min).
// Each run reports wall time, media seconds per wall second, this Node
// process's peak RSS and the ffmpeg child's peak RSS (peak-rss.ts). Groups 1
// and 2 run in interleaved rounds (A B, B A, ...). A full run is opt-in,
// BENCH_REALISTIC=1 (about 12 min on a busy 2-core machine, plus 6-7 min to
// make the clips the first time); `--quick` runs all three groups on 3 x 1 s 240p clips.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { ConcatStrategy } from '@mastervideo/core'
import { execa } from 'execa'
import {
  type BenchContext,
  type BenchRow,
  interleaved,
  measured,
  ratioAtMost,
} from '../../../bench/harness.js'
import { ffmpegTranscoder } from '../src/index.js'
import { FFMPEG } from '../test/fixtures.js'
import { measureRun, type RunFigures } from './peak-rss.js'
import { type ClipSetSpec, clipSets } from './realistic-clips.js'

const FULL: ClipSetSpec = { count: 10, seconds: 60, size: '1920x1080', fps: 30 }
const QUICK: ClipSetSpec = { count: 3, seconds: 1, size: '320x240', fps: 30 }
/** Rounds of the re-encode group in a full run: one, each encode lasting 20-30 min. */
const REENCODE_ROUNDS = 1

/** The SDK as a worker calls it: a transcoder that has not seen the clips, a signal and a progress callback. */
function sdkRun(inputs: string[], strategy: ConcatStrategy) {
  return async (output: string) => {
    let progress = 0
    await ffmpegTranscoder().concat({
      inputs: inputs.map((file) => ({ path: file })),
      output,
      strategy,
      profile: {},
      signal: new AbortController().signal,
      onProgress: (fraction) => {
        progress = fraction
      },
    })
    return progress
  }
}

/** The command line the SDK runs for these clips, with its concat list written to `list`; raw. */
async function rawRun(inputs: string[], strategy: ConcatStrategy, expected: string, list: string) {
  const plan = await ffmpegTranscoder().plan(
    inputs.map((file) => ({ path: file })),
    { strategy, output: '/placeholder/out.mp4' },
  )
  if (plan.strategy !== expected) throw new Error(`${strategy} chose ${plan.strategy}: ${plan.reason}`)
  if (plan.concatList !== undefined) await writeFile(list, plan.concatList)
  return (output: string) =>
    execa(
      FFMPEG,
      plan.args.map((arg) =>
        arg.endsWith('concat.txt')
          ? `file:${list}`
          : arg === 'file:/placeholder/out.mp4'
            ? `file:${output}`
            : arg,
      ),
    )
}

/** The original system's command: the clips listed for the concat demuxer, libx264 medium CRF 23, AAC. */
async function originalRun(inputs: string[], list: string) {
  await writeFile(list, `${inputs.map((file) => `file '${file}'`).join('\n')}\n`)
  return (output: string) =>
    execa(FFMPEG, [
      ...['-hide_banner', '-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list],
      ...['-c:v', 'libx264', '-preset', 'medium', '-crf', '23', '-c:a', 'aac', output],
    ])
}

/**
 * Runs each variant `rounds` times, interleaved, each writing a new file in
 * `dir` (removed after the run, so the disk holds one output at a time).
 */
async function rounds<K extends string>(
  count: number,
  dir: string,
  everyMs: number,
  runs: Record<K, (output: string) => Promise<unknown>>,
): Promise<Record<K, RunFigures[]>> {
  const names = Object.keys(runs) as K[]
  const figures = Object.fromEntries(names.map((name) => [name, [] as RunFigures[]])) as Record<
    K,
    RunFigures[]
  >
  const variants = Object.fromEntries(
    names.map((name) => [
      name,
      async () => {
        const output = path.join(dir, `${name}.mp4`)
        const run = await measureRun(() => runs[name](output), everyMs)
        await rm(output, { force: true })
        figures[name].push(run)
        return run.ms
      },
    ]),
  ) as Record<K, () => Promise<number>>
  await interleaved(count, variants)
  return figures
}

const pick = (runs: RunFigures[], key: keyof RunFigures) => measured(runs.map((run) => run[key]))

/** The rows every group has: speed, ffmpeg's and Node's peak RSS, SDK against raw. */
function memoryAndSpeedRows(
  label: string,
  mediaSec: number,
  sdk: RunFigures[],
  raw: RunFigures[],
): BenchRow[] {
  const speed = (runs: RunFigures[]) => measured(runs.map((run) => mediaSec / (run.ms / 1000)))
  return [
    {
      name: `${label}: speed, SDK`,
      unit: 'media s/s',
      subject: speed(sdk),
      reference: { name: 'same ffmpeg command, raw', value: speed(raw) },
      better: 'higher',
      goal: 'report',
    },
    {
      name: `${label}: ffmpeg peak RSS (VmHWM), SDK's run`,
      unit: 'MB',
      subject: pick(sdk, 'ffmpegMb'),
      reference: { name: 'raw command', value: pick(raw, 'ffmpegMb') },
      better: 'lower',
      goal: 'report',
    },
    {
      name: `${label}: Node peak RSS, SDK's run`,
      unit: 'MB',
      subject: pick(sdk, 'nodeMb'),
      reference: { name: 'the same process while the raw command runs', value: pick(raw, 'nodeMb') },
      better: 'lower',
      goal: 'report',
    },
  ]
}

export default async function realisticBench(ctx: BenchContext): Promise<BenchRow[]> {
  const reencode = ctx.quick || process.env.BENCH_REALISTIC_REENCODE === '1'
  if (!ctx.quick && process.env.BENCH_REALISTIC !== '1' && !reencode) {
    console.log(
      '\nrealistic.bench skipped: BENCH_REALISTIC=1 runs its copy and copy-video groups (10 x 60 s 1080p30, ' +
        'about 12 min, plus 6-7 min to make the clips once); BENCH_REALISTIC_REENCODE=1 adds the full ' +
        're-encode group (one round, about 1 h 20 min on 2 cores)',
    )
    return []
  }
  if (!reencode) {
    console.log(
      '\nrealistic.bench: re-encode group skipped (BENCH_REALISTIC_REENCODE=1 adds it, about 1 h 20 min)',
    )
  }
  const spec = ctx.quick ? QUICK : FULL
  const clips = await clipSets(spec, { cache: !ctx.quick })
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-realistic-bench-'))
  // Fine polling for the quick run's short-lived processes; 50 ms costs nothing against seconds.
  const everyMs = ctx.quick ? 5 : 50
  const mediaSec = spec.count * spec.seconds
  const set = `${spec.count} x ${spec.seconds} s ${spec.size.split('x')[1]}p${spec.fps}`
  try {
    const copy = await rounds(ctx.rounds, dir, everyMs, {
      sdk: sdkRun(clips.same, 'auto'),
      raw: await rawRun(clips.same, 'auto', 'copy', path.join(dir, 'copy.txt')),
    })
    const copyVideo = await rounds(ctx.rounds, dir, everyMs, {
      sdk: sdkRun(clips.mixed, 'auto'),
      raw: await rawRun(clips.mixed, 'auto', 'copy-video', path.join(dir, 'copy-video.txt')),
    })
    const copyLabel = `realistic copy, ${set}, clips alike`
    const copyVideoLabel = `realistic copy-video, ${set}, one clip silent, one 44.1 kHz mono`
    const rows: BenchRow[] = [
      {
        name: `${copyLabel}: SDK concat as a worker runs it (auto: copy, clips probed)`,
        unit: 'ms',
        subject: pick(copy.sdk, 'ms'),
        reference: { name: 'same ffmpeg command, raw', value: pick(copy.raw, 'ms') },
        better: 'lower',
        goal: ratioAtMost(1.03),
        why: 'the SDK probes every clip before the copy and checks the output after it; the raw command does neither',
        headline: true,
      },
      ...memoryAndSpeedRows(copyLabel, mediaSec, copy.sdk, copy.raw),
      {
        name: `${copyVideoLabel}: SDK concat as a worker runs it (auto: video copied, audio encoded)`,
        unit: 'ms',
        subject: pick(copyVideo.sdk, 'ms'),
        reference: { name: 'same ffmpeg command, raw', value: pick(copyVideo.raw, 'ms') },
        better: 'lower',
        goal: 'report',
      },
      ...memoryAndSpeedRows(copyVideoLabel, mediaSec, copyVideo.sdk, copyVideo.raw),
    ]
    if (!reencode) return rows

    const full = await rounds(ctx.quick ? 1 : REENCODE_ROUNDS, dir, everyMs, {
      sdk: sdkRun(clips.mixed, 'reencode'),
      raw: await rawRun(clips.mixed, 'reencode', 'reencode', path.join(dir, 'reencode.txt')),
      original: await originalRun(clips.mixed, path.join(dir, 'original.txt')),
    })
    const fullLabel = `realistic full re-encode (medium, CRF 23), ${set}, the copy-video clips, ${
      ctx.quick ? 1 : REENCODE_ROUNDS
    } round`
    const speed = (runs: RunFigures[]) => measured(runs.map((run) => mediaSec / (run.ms / 1000)))
    return [
      ...rows,
      {
        name: `${fullLabel}: SDK concat (strategy reencode)`,
        unit: 'ms',
        subject: pick(full.sdk, 'ms'),
        reference: { name: 'same ffmpeg command, raw', value: pick(full.raw, 'ms') },
        better: 'lower',
        goal: 'report',
      },
      ...memoryAndSpeedRows(fullLabel, mediaSec, full.sdk, full.raw),
      {
        name: `${fullLabel}: SDK concat (strategy reencode), against the original system's command`,
        unit: 'ms',
        subject: pick(full.sdk, 'ms'),
        reference: {
          name: 'original command (concat demuxer, medium, CRF 23)',
          value: pick(full.original, 'ms'),
        },
        better: 'lower',
        goal: 'report',
      },
      {
        name: `${fullLabel}: speed, original command (concat demuxer)`,
        unit: 'media s/s',
        subject: speed(full.original),
        better: 'higher',
        goal: 'report',
      },
      {
        name: `${fullLabel}: ffmpeg peak RSS (VmHWM), original command`,
        unit: 'MB',
        subject: pick(full.original, 'ffmpegMb'),
        better: 'lower',
        goal: 'report',
      },
      {
        name: `${copyVideoLabel}: SDK auto (video copied, audio encoded): goal ≥ 30x faster than the full re-encode`,
        unit: 'ms',
        subject: pick(copyVideo.sdk, 'ms'),
        reference: { name: 'SDK full re-encode of the same clips', value: pick(full.sdk, 'ms') },
        better: 'lower',
        goal: ratioAtMost(1 / 30),
        why: 'copy-video still reads every clip twice (video, then sound) and writes the whole file',
        headline: true,
      },
      {
        name: `${copyVideoLabel}: SDK auto, against the original system's command on the same clips`,
        unit: 'ms',
        subject: pick(copyVideo.sdk, 'ms'),
        reference: {
          name: 'original command (concat demuxer, medium, CRF 23)',
          value: pick(full.original, 'ms'),
        },
        better: 'lower',
        goal: 'report',
        headline: true,
      },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
    if (ctx.quick) await rm(clips.dir, { recursive: true, force: true })
  }
}
