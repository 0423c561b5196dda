// The realistic workload: 10 clips x 60 s of 1080p30 with sound, joined two
// ways, each by the SDK (`ffmpegTranscoder().concat` as a worker calls it: a
// transcoder that has not seen the clips, so every clip is probed) and by the
// ffmpeg command line the SDK runs (`plan().args`), raw:
// 1. copy: clips alike in codec parameters, `auto` copies them;
// 2. copy-video: the same video, one clip silent and one 44.1 kHz mono, `auto`
//    copies the video and encodes only the sound.
// The full re-encode of these clips is realistic-reencode.bench.ts (opt-in:
// an x264 medium encode of 1080p takes about 2.6 s per media second here).
// Each run reports wall time, media seconds per wall second, this Node
// process's peak RSS and the ffmpeg child's peak RSS (peak-rss.ts), in
// interleaved rounds (A B, B A, ...). A full run is opt-in, BENCH_REALISTIC=1
// (about 8 min on a quiet 2-core machine, plus 6-7 min to make the clips the
// first time); `--quick` runs both groups on 3 x 1 s 240p clips.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { type BenchContext, type BenchRow, ratioAtMost } from '../../../bench/harness.js'
import { clipSets, QUICK, REALISTIC } from './realistic-clips.js'
import { memoryAndSpeedRows, pick, rawRun, rounds, sdkRun } from './realistic-runs.js'

export default async function realisticBench(ctx: BenchContext): Promise<BenchRow[]> {
  if (!ctx.quick && process.env.BENCH_REALISTIC !== '1') {
    console.log(
      '\nrealistic.bench skipped: BENCH_REALISTIC=1 runs its copy and copy-video groups (10 x 60 s 1080p30, ' +
        'about 8 min, plus 6-7 min to make the clips once)',
    )
    return []
  }
  const spec = ctx.quick ? QUICK : REALISTIC
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
    return rows
  } finally {
    await rm(dir, { recursive: true, force: true })
    if (ctx.quick) await rm(clips.dir, { recursive: true, force: true })
  }
}
