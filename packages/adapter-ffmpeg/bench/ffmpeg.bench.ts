// adapter-ffmpeg benchmarks, each side by side with its reference in the same run:
// 1. SDK `concat` vs the very ffmpeg command line it runs (`plan().args`), raw:
//    the SDK's own cost (probing every clip, checking the output, temp file + rename),
//    cold (a new transcoder each run: every clip probed) and warm (the clips probed
//    before, as after a `plan()`: their probes are reused while the files are unchanged).
// 2. `auto` on compatible clips vs the original system's always-re-encode
//    (`-f concat ... -c:v libx264 -preset medium -crf 23 -c:a aac`), 3 x 10 s 720p.
// 3. Peak RSS of this Node process during a concat, small clips vs 10x larger ones:
//    ffmpeg does the work in its own process; ours must stay flat.
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import type { BenchRow } from '../../../bench/harness.js'
import { ffmpegTranscoder } from '../src/index.js'

const require = createRequire(import.meta.url)
const FFMPEG: string = require('@ffmpeg-installer/ffmpeg').path

async function clip(file: string, size: string, seconds: number): Promise<string> {
  await execa(FFMPEG, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '60',
      '-c:a',
      'aac',
      '-ac',
      '2',
    ],
    file,
  ])
  return file
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await run()
  return performance.now() - t0
}

/** Peak RSS growth (MB) of this process while `run` runs, sampled every 2 ms. */
async function peakRss(run: () => Promise<unknown>): Promise<number> {
  globalThis.gc?.()
  const base = process.memoryUsage.rss()
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 2)
  try {
    await run()
  } finally {
    clearInterval(timer)
  }
  return (Math.max(peak, process.memoryUsage.rss()) - base) / 1024 / 1024
}

export default async function ffmpegBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-ffmpeg-bench-'))
  try {
    const big = await Promise.all([0, 1, 2].map((i) => clip(path.join(dir, `big-${i}.mp4`), '1280x720', 10)))
    const small = await Promise.all(
      [0, 1, 2].map((i) => clip(path.join(dir, `small-${i}.mp4`), '320x240', 1)),
    )
    const mid = await Promise.all([0, 1, 2].map((i) => clip(path.join(dir, `mid-${i}.mp4`), '640x360', 10)))
    const midInputs = mid.map((p) => ({ path: p }))
    const out = path.join(dir, 'out')
    await mkdir(out)
    const transcoder = ffmpegTranscoder()
    const inputs = big.map((p) => ({ path: p }))

    // Probes are remembered only for files left alone 2 s (file times tick coarsely).
    const changed = Math.max(...(await Promise.all(big.map(async (f) => (await stat(f)).ctimeMs))))
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, changed + 2100 - Date.now())))

    // 1a. Copy path, SDK (cold and warm) vs the same command line, alternated, 15 runs each.
    const list = path.join(dir, 'concat.txt')
    const plan = await transcoder.plan(inputs, { output: path.join(out, 'raw.mp4') })
    const rawArgs = plan.args.map((a) => (a.endsWith('concat.txt') ? `file:${list}` : a))
    await writeFile(list, plan.concatList as string)
    const coldCopy: number[] = []
    const warmCopy: number[] = []
    const rawCopy: number[] = []
    // Every run writes a new file, as a job does: replacing a 10 MB file costs both sides
    // more, and not the same (ffmpeg truncates it; the SDK renames over it, atomically).
    const fresh = async (file: string) => {
      await rm(file, { force: true })
      return file
    }
    for (let i = 0; i < 15; i++) {
      await fresh(path.join(out, 'raw.mp4'))
      rawCopy.push(await timed(() => execa(FFMPEG, rawArgs)))
      const cold = await fresh(path.join(out, 'sdk-cold.mp4'))
      coldCopy.push(await timed(() => ffmpegTranscoder().concat({ inputs, output: cold })))
      const warm = await fresh(path.join(out, 'sdk-warm.mp4'))
      warmCopy.push(await timed(() => transcoder.concat({ inputs, output: warm })))
    }

    // 1a'. What the SDK spends probing the three clips (in parallel, nothing remembered), the bulk of its cold overhead.
    const probing: number[] = []
    for (let i = 0; i < 15; i++) {
      const unprimed = ffmpegTranscoder()
      probing.push(await timed(() => Promise.all(big.map((p) => unprimed.probe(p)))))
    }

    // 1b. Re-encode path (3 x 10 s 360p, ultrafast, to keep the run short), SDK vs the same command line.
    const rePlan = await transcoder.plan(midInputs, {
      strategy: 'reencode',
      profile: { preset: 'ultrafast' },
      output: path.join(out, 'raw-re.mp4'),
    })
    const sdkRe: number[] = []
    const rawRe: number[] = []
    for (let i = 0; i < 3; i++) {
      rawRe.push(await timed(() => execa(FFMPEG, rePlan.args)))
      sdkRe.push(
        await timed(() =>
          transcoder.concat({
            inputs: midInputs,
            output: path.join(out, 'sdk-re.mp4'),
            strategy: 'reencode',
            profile: { preset: 'ultrafast' },
          }),
        ),
      )
    }

    // 2. The original system: always re-encode, medium, CRF 23 (one run: ~13 s).
    const original = await timed(() =>
      execa(FFMPEG, [
        ...['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list],
        ...[
          '-c:v',
          'libx264',
          '-preset',
          'medium',
          '-crf',
          '23',
          '-c:a',
          'aac',
          path.join(out, 'original.mp4'),
        ],
      ]),
    )

    // 3. Peak RSS during a concat: 3 x 1 s 240p vs 3 x 10 s 720p (copy) or 360p (re-encode).
    const rssSmall = await peakRss(() =>
      transcoder.concat({ inputs: small.map((p) => ({ path: p })), output: path.join(out, 'rss-small.mp4') }),
    )
    const rssBig = await peakRss(() => transcoder.concat({ inputs, output: path.join(out, 'rss-big.mp4') }))
    const rssSmallRe = await peakRss(() =>
      transcoder.concat({
        inputs: small.map((p) => ({ path: p })),
        output: path.join(out, 'rss-small-re.mp4'),
        strategy: 'reencode',
        profile: { preset: 'ultrafast' },
      }),
    )
    const rssBigRe = await peakRss(() =>
      transcoder.concat({
        inputs: midInputs,
        output: path.join(out, 'rss-big-re.mp4'),
        strategy: 'reencode',
        profile: { preset: 'ultrafast' },
      }),
    )

    return [
      {
        name: 'concat 3 x 10 s 720p, copy path, cold: new transcoder, clips probed (median of 15): SDK',
        value: median(coldCopy),
        unit: 'ms',
        reference: { name: 'same ffmpeg command, raw', value: median(rawCopy) },
        goal: '<= 1.05x',
      },
      {
        name: 'concat 3 x 10 s 720p, copy path, warm: clips probed before, e.g. by plan() (median of 15): SDK',
        value: median(warmCopy),
        unit: 'ms',
        reference: { name: 'same ffmpeg command, raw', value: median(rawCopy) },
        goal: '<= 1.05x',
      },
      {
        name: 'of which, cold: probing the 3 clips in parallel (median of 15)',
        value: median(probing),
        unit: 'ms',
        reference: { name: 'same ffmpeg command, raw', value: median(rawCopy) },
      },
      {
        name: 'concat 3 x 10 s 360p, re-encode ultrafast (median of 3): SDK',
        value: median(sdkRe),
        unit: 'ms',
        reference: { name: 'same ffmpeg command, raw', value: median(rawRe) },
        goal: '<= 1.05x',
      },
      {
        name: 'original always-re-encode (medium, CRF 23) 3 x 10 s 720p',
        value: original,
        unit: 'ms',
        reference: { name: 'SDK auto (copy, cold), median of 15', value: median(coldCopy) },
        goal: '>= 100x',
      },
      {
        name: 'peak RSS growth during copy concat, 3 x 10 s 720p',
        value: rssBig,
        unit: 'MB',
        reference: { name: '3 x 1 s 240p', value: rssSmall },
        goal: 'flat in input size',
      },
      {
        name: 'peak RSS growth during re-encode concat, 3 x 10 s 360p',
        value: rssBigRe,
        unit: 'MB',
        reference: { name: '3 x 1 s 240p', value: rssSmallRe },
        goal: 'flat in input size',
      },
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
