// The rendition ladder, each figure side by side with its reference in the same run:
// 1. One pass (decode once, split, three encodes) against three separate ffmpeg
//    runs of the same encodes (each decoding the master again), 720p/480p/360p
//    from a 3 x 10 s 720p master, MP4 only, in interleaved rounds.
// 2. The SDK's `ladder()` against the raw ffmpeg command it runs
//    (`planLadder().args`), with an HLS ladder (4 s segments) as a job makes it.
// 3. Bytes and SSIM of each rendition against the master scaled the same way
//    (ffmpeg's `ssim` filter), at the default CRF 23.
// The encodes use preset veryfast to keep a round under a minute on two cores;
// the comparison holds the preset equal on both sides.
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import type { BenchRow } from '../../../bench/harness.js'
import { ffmpegTranscoder, planLadder } from '../src/index.js'

const require = createRequire(import.meta.url)
const FFMPEG: string = require('@ffmpeg-installer/ffmpeg').path
const PRESET = 'veryfast'
const ROUNDS = 3
const RENDITIONS = [
  { name: '720p', height: 720 },
  { name: '480p', height: 480 },
  { name: '360p', height: 360 },
]

async function clip(file: string, seconds: number): Promise<string> {
  await execa(FFMPEG, [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds}`],
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

function spread(values: number[]): string {
  return `${Math.round(Math.min(...values))}-${Math.round(Math.max(...values))} ms`
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await run()
  return performance.now() - t0
}

/** One rendition encoded on its own: the master decoded again, scaled, encoded as the ladder does. */
function separateArgs(master: string, width: number, height: number, output: string): string[] {
  return [
    ...['-v', 'error', '-y', '-i', master, '-map', '0:v:0', '-map', '0:a:0'],
    ...['-vf', `scale=${width}:${height},setsar=1,format=yuv420p`],
    ...['-c:v', 'libx264', '-preset', PRESET, '-crf', '23', '-pix_fmt', 'yuv420p', '-c:a', 'copy'],
    ...['-movflags', '+faststart', output],
  ]
}

/** Runs ffmpeg under `/usr/bin/time` and returns the CPU seconds (user + system) it used. */
async function cpuOf(args: string[], cwd: string): Promise<number> {
  const { stderr } = await execa('/usr/bin/time', ['-f', 'cpu %U %S', FFMPEG, ...args], { cwd })
  const match = /cpu ([0-9.]+) ([0-9.]+)\s*$/.exec(stderr)
  if (!match) throw new Error(`no CPU time in: ${stderr.slice(-200)}`)
  return Number(match[1]) + Number(match[2])
}

/** SSIM (All) of `rendition` against `master` scaled to the rendition's size. */
async function ssim(rendition: string, master: string, width: number, height: number): Promise<number> {
  const { stderr } = await execa(FFMPEG, [
    ...['-hide_banner', '-i', rendition, '-i', master],
    ...['-lavfi', `[1:v]scale=${width}:${height},setsar=1[ref];[0:v][ref]ssim`, '-f', 'null', '-'],
  ])
  const match = /All:([0-9.]+)/.exec(stderr)
  if (!match) throw new Error(`no SSIM in ffmpeg's output: ${stderr.slice(-300)}`)
  return Number(match[1])
}

export default async function ladderBench(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-ladder-bench-'))
  try {
    const transcoder = ffmpegTranscoder({ defaults: { preset: PRESET } })
    const clips = await Promise.all([0, 1, 2].map((i) => clip(path.join(dir, `clip-${i}.mp4`), 10)))
    const master = path.join(dir, 'master.mp4')
    await transcoder.concat({ inputs: clips.map((p) => ({ path: p })), output: master })
    const probe = await transcoder.probe(master)

    const onePass: number[] = []
    const separate: number[] = []
    const sdk: number[] = []
    const raw: number[] = []
    const fresh = async (name: string) => {
      const folder = path.join(dir, name)
      await rm(folder, { recursive: true, force: true })
      await mkdir(folder)
      return folder
    }
    const mp4Plan = planLadder(probe, {
      input: master,
      prefix: 'b',
      renditions: RENDITIONS,
      profile: { preset: PRESET },
    })
    const hlsPlan = planLadder(probe, {
      input: master,
      prefix: 'b',
      renditions: RENDITIONS,
      hls: true,
      profile: { preset: PRESET },
    })
    // CPU seconds too: on a shared machine they move far less with the load than wall time.
    const onePassCpu: number[] = []
    const separateCpu: number[] = []
    const runOnePass = async () => {
      const one = await fresh('one')
      const t0 = performance.now()
      onePassCpu.push(await cpuOf(mp4Plan.args, one))
      onePass.push(performance.now() - t0)
    }
    const runSeparate = async () => {
      const sep = await fresh('separate')
      const t0 = performance.now()
      let cpu = 0
      for (const r of mp4Plan.renditions) {
        cpu += await cpuOf(separateArgs(master, r.width, r.height, path.join(sep, `${r.spec.name}.mp4`)), sep)
      }
      separateCpu.push(cpu)
      separate.push(performance.now() - t0)
    }
    const runRaw = async () => {
      const rawDir = await fresh('raw')
      raw.push(await timed(() => execa(FFMPEG, hlsPlan.args, { cwd: rawDir })))
    }
    const runSdk = async () => {
      const sdkDir = await fresh('sdk')
      sdk.push(
        await timed(() =>
          transcoder.ladder({
            input: master,
            directory: sdkDir,
            prefix: 'b',
            renditions: RENDITIONS,
            hls: true,
          }),
        ),
      )
    }
    // Interleaved, the order swapped every round, so a change of load hits both sides alike.
    for (let round = 0; round < ROUNDS; round++) {
      const pairs =
        round % 2 === 0
          ? [runOnePass, runSeparate, runRaw, runSdk]
          : [runSeparate, runOnePass, runSdk, runRaw]
      for (const run of pairs) await run()
    }

    // Size and quality of what the last SDK run made.
    const made = await transcoder.ladder({
      input: master,
      directory: await fresh('quality'),
      prefix: 'q',
      renditions: RENDITIONS,
    })
    const quality: BenchRow[] = []
    for (const r of made.renditions) {
      const file = path.join(dir, 'quality', r.key)
      quality.push(
        {
          name: `${r.name} rendition (${r.width}x${r.height}, CRF 23, ${PRESET}) of 30 s: size`,
          value: r.size / 1e6,
          unit: 'MB',
        },
        {
          name: `${r.name} rendition: SSIM against the master scaled the same way`,
          value: await ssim(file, master, r.width, r.height),
          unit: '',
          higherIsBetter: true,
          goal: '>= 0.95 (reported)',
        },
      )
    }

    return [
      {
        name: `ladder 720p+480p+360p from a 3 x 10 s 720p master, one pass (median of ${ROUNDS}, spread ${spread(onePass)})`,
        value: median(onePass),
        unit: 'ms',
        reference: {
          name: `three separate ffmpeg runs of the same encodes (spread ${spread(separate)})`,
          value: median(separate),
        },
        goal: '>= 1.5x faster',
      },
      {
        name: `the same, CPU time of ffmpeg (user + system, median of ${ROUNDS})`,
        value: median(onePassCpu),
        unit: 's',
        reference: { name: 'three separate runs', value: median(separateCpu) },
      },
      {
        name: `ladder with HLS, SDK ladder() (median of ${ROUNDS}, spread ${spread(sdk)})`,
        value: median(sdk),
        unit: 'ms',
        reference: { name: `the same ffmpeg command, raw (spread ${spread(raw)})`, value: median(raw) },
        goal: '<= 1.05x',
      },
      ...quality,
    ]
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
