// What both realistic benches run and how they turn runs into rows: the SDK
// as a worker calls it, the command line it runs (raw), the original
// system's command, interleaved rounds that keep one output on disk at a
// time, and the speed and peak-RSS rows of a group.
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ConcatStrategy } from '@mastervideo/core'
import { execa } from 'execa'
import { type BenchRow, interleaved, measured } from '../../../bench/harness.js'
import { ffmpegTranscoder } from '../src/index.js'
import { FFMPEG } from '../test/fixtures.js'
import { measureRun, type RunFigures } from './peak-rss.js'

/** The SDK as a worker calls it: a transcoder that has not seen the clips, a signal and a progress callback. */
export function sdkRun(inputs: string[], strategy: ConcatStrategy) {
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
export async function rawRun(inputs: string[], strategy: ConcatStrategy, expected: string, list: string) {
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
export async function originalRun(inputs: string[], list: string) {
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
export async function rounds<K extends string>(
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

export const pick = (runs: RunFigures[], key: keyof RunFigures) => measured(runs.map((run) => run[key]))

/** The rows every group has: speed, ffmpeg's and Node's peak RSS, SDK against raw. */
export function memoryAndSpeedRows(
  label: string,
  mediaSec: number,
  sdk: RunFigures[],
  raw: RunFigures[],
): BenchRow[] {
  const speed = (runs: RunFigures[]) => speedOf(runs, mediaSec)
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

/** Media seconds per wall second of each run. */
export const speedOf = (runs: RunFigures[], mediaSec: number) =>
  measured(runs.map((run) => mediaSec / (run.ms / 1000)))
