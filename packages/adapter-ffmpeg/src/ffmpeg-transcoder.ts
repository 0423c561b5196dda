import { rename, rm, stat, writeFile } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import path from 'node:path'
import {
  type ConcatInput,
  type ConcatRequest,
  type ConcatResult,
  type ConcatStrategy,
  type EncodingOptions,
  type LadderRequest,
  type LadderResult,
  POSTER_DEFAULTS,
  type ProbeResult,
  type ThumbnailOptions,
  type Transcoder,
} from '@mastervideo/core'
import { representableInConcatList, stagePlainName } from './concat-list.js'
import { buildPlan, type ConcatPlan, fallbackPlan, placeInput } from './concat-plan.js'
import { inputSecondsOf, probeSpan } from './concat-telemetry.js'
import { invalidRequest, throwIfAborted, transcodeFailed, wrapError } from './errors.js'
import { thumbnailArgs } from './ffmpeg-args.js'
import { type FfmpegBinaries, resolveBinaries } from './ffmpeg-binaries.js'
import { runLadder } from './ffmpeg-ladder.js'
import { runFfmpeg } from './ffmpeg-process.js'
import { probeMedia } from './media-probe.js'
import { checkOutput } from './output-check.js'
import { probeCache } from './probe-cache.js'
import { makeScratchDir, sweepScratchDirs } from './scratch-dirs.js'
import { mapLimit, tempBeside } from './util.js'

/** Options of {@link ffmpegTranscoder}. */
export interface FfmpegTranscoderOptions {
  /** Default: the pair {@link resolveBinaries} picks (environment, a current pair on `PATH`, the bundled one). */
  ffmpegPath?: string
  /** Default: the sibling of `ffmpegPath`, else the pair {@link resolveBinaries} picks. */
  ffprobePath?: string
  /** Limit of one ffmpeg run; exceeded -> `TIMEOUT`. Default: none (the stall watchdog still applies). */
  timeoutMs?: number
  /** Longest time ffmpeg may go without advancing; exceeded -> killed, `TIMEOUT`. Default 60 000; 0 disables. */
  stallTimeoutMs?: number
  /** Between SIGTERM and SIGKILL when stopping ffmpeg. Default 2000. */
  killGraceMs?: number
  /** Strategy and re-encode settings used where a request leaves them out. */
  defaults?: EncodingOptions
  /**
   * Probe plain MP4 clips (H.264 Baseline/Main/High 8-bit 4:2:0 progressive,
   * AAC-LC mono or stereo, whole and self-contained) by reading their boxes
   * in Node instead of running ffprobe: a cold stream copy then spawns only
   * ffmpeg. Every other file, including every damaged or hostile one, is
   * still probed and judged by ffprobe, with the same refusals. Default
   * true; `false` runs ffprobe on every clip.
   */
  readHeaders?: boolean
}

/** Options of {@link FfmpegTranscoder.plan}. */
export interface PlanOptions {
  /** Default: the transcoder's `defaults.strategy`, else `auto`. */
  strategy?: ConcatStrategy
  /** Re-encode settings, over the transcoder's defaults. */
  profile?: Omit<EncodingOptions, 'strategy'>
  /** The output named in the arguments. Default `output.mp4`. */
  output?: string
  signal?: AbortSignal
}

/** The ffmpeg {@link Transcoder}, plus a dry run. */
export interface FfmpegTranscoder extends Transcoder {
  /**
   * Probes the clips and returns what `concat` would do: the strategy, the
   * reason in words, and the exact ffmpeg arguments. `concat` runs the same
   * arguments with the list in a private temporary directory and the output
   * at a temporary name beside `output`.
   */
  plan(inputs: ConcatInput[], options?: PlanOptions): Promise<ConcatPlan>
  /**
   * Removes the private folders (`mv-ffmpeg-<pid>-*` in the temp dir) of runs
   * whose process is gone, last changed more than `olderThanMs` ago; resolves
   * with their paths. The worker calls it when it starts.
   */
  sweep(olderThanMs: number): Promise<string[]>
  /**
   * The renditions of a master in one ffmpeg pass: decoded once, split,
   * scaled and encoded with libx264 (the master's AAC audio copied, other
   * audio encoded to AAC), each written as an MP4 with `+faststart` and, with
   * `hls`, as CMAF segments with their media playlist, plus a master playlist
   * written from the measured segments. Keyframes are forced on segment
   * boundaries, so variants switch cleanly.
   */
  ladder(request: LadderRequest): Promise<LadderResult>
}

/** ffprobe runs at once for one concat: enough to overlap process start-up, few enough not to swamp small machines. */
const PROBE_CONCURRENCY = Math.min(8, Math.max(4, availableParallelism()))

/** How error messages name an ffmpeg run of each strategy. */
const JOB_NAMES = {
  copy: 'join by stream copy',
  'copy-video': 'join by copying the video and encoding the audio',
  reencode: 'join by re-encoding',
} as const

/**
 * The ffmpeg transcoder: joins clips by stream copy when they allow it
 * (hundreds of times faster than encoding), by a normalized re-encode
 * otherwise, with progress, timeouts, a stall watchdog, and typed errors.
 * Untrusted clips are held to local files and real video containers.
 *
 * @example
 * ```ts
 * import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
 *
 * const transcoder = ffmpegTranscoder({ stallTimeoutMs: 30_000 })
 * const result = await transcoder.concat({
 *   inputs: [{ path: 'a.mp4' }, { path: 'b.mp4', trimStart: 1 }],
 *   output: 'master.mp4',
 *   onProgress: (f) => console.log(Math.round(f * 100), '%'),
 * })
 * console.log(result.strategy, result.reason)
 * ```
 */
export function ffmpegTranscoder(options: FfmpegTranscoderOptions = {}): FfmpegTranscoder {
  const { strategy: defaultStrategy, ...defaultProfile } = options.defaults ?? {}
  const stallTimeoutMs = options.stallTimeoutMs ?? 60_000
  let binaries: Promise<FfmpegBinaries> | undefined
  const bins = () => {
    binaries ??= resolveBinaries(options)
    return binaries
  }
  const run = async (
    args: string[],
    what: string,
    totalSec: number,
    signal: AbortSignal | undefined,
    onProgress?: (fraction: number) => void,
    watchFile?: string,
  ) =>
    runFfmpeg({
      ffmpeg: (await bins()).ffmpeg,
      args,
      what,
      totalSec,
      signal,
      timeoutMs: options.timeoutMs,
      stallTimeoutMs,
      killGraceMs: options.killGraceMs,
      onProgress,
      watchFile,
    })

  // Accepted probes of unchanged files: plan() then concat(), or a retried job, probe once.
  const cache = probeCache()
  const readHeaders = options.readHeaders ?? true
  const probe = async (file: string, probeOptions?: { signal?: AbortSignal }): Promise<ProbeResult> =>
    probeMedia(async () => (await bins()).ffprobe, file, probeOptions?.signal, cache, readHeaders)

  const probeAll = async (inputs: ConcatInput[], signal: AbortSignal | undefined) => {
    if (inputs.length === 0) throw invalidRequest('A concat needs at least one input')
    // A clip used twice is probed once.
    const unique = [...new Map(inputs.map((input) => [path.resolve(input.path), input.path])).values()]
    const probed = await mapLimit(unique, PROBE_CONCURRENCY, (file) => probe(file, { signal }))
    const byPath = new Map(probed.map((p) => [path.resolve(p.path), p]))
    return inputs.map((input) => {
      const found = byPath.get(path.resolve(input.path)) as ProbeResult
      return found.path === input.path ? found : { ...found, path: input.path }
    })
  }

  async function concat(request: ConcatRequest): Promise<ConcatResult> {
    const { signal } = request
    throwIfAborted(signal)
    const strategy = request.strategy ?? defaultStrategy ?? 'auto'
    const profile = { ...defaultProfile, ...request.profile }
    // Found while the clips are probed, not after: a cold join waits for neither twice.
    bins().catch(() => {})
    const scratch = makeScratchDir()
    scratch.catch(() => {}) // a failure is thrown where it is awaited, not reported as unhandled
    let probes: ProbeResult[]
    try {
      probes = await probeSpan(request.inputs, () => probeAll(request.inputs, signal))
      throwIfAborted(signal)
    } catch (error) {
      await scratch.then((dir) => rm(dir, { recursive: true, force: true })).catch(() => {})
      throw error
    }

    let last = -1
    const report = (fraction: number) => {
      if (!(fraction > last)) return
      last = fraction
      try {
        request.onProgress?.(fraction)
      } catch {
        // A throwing progress listener must not kill the transcode.
      }
    }
    const output = path.resolve(request.output)
    const temp = tempBeside(output, 'partial')
    const privateDir = await scratch
    let cleanup: Promise<void> | undefined
    try {
      const list = path.join(privateDir, 'concat.txt')
      const listPaths = new Map<number, string>()
      for (const [index, input] of probes.entries()) {
        if (!representableInConcatList(path.resolve(input.path))) {
          listPaths.set(index, await stagePlainName(path.resolve(input.path), privateDir, index))
        }
      }
      const paths = { output: temp, list, listPaths }
      let plan = buildPlan({ inputs: request.inputs, probes, strategy, profile, paths })
      inputSecondsOf(plan.totalSec)
      report(0)
      // Progress stops short of 1 until the file is in place; a redo continues from where it was.
      const scaled = () => {
        const from = Math.max(0, last)
        return (f: number) => report(from + (0.99 - from) * f)
      }
      let attempts = 0
      const attempt = async () => {
        if (plan.concatList !== undefined) await writeFile(list, plan.concatList)
        // A redo starts from nothing; the first attempt's name is new.
        if (attempts++ > 0) await rm(temp, { force: true })
        // The output is watched too: the faststart pass rewrites it with no progress lines.
        return run(plan.args, JOB_NAMES[plan.strategy], plan.totalSec, signal, scaled(), temp)
      }
      let outcome = await attempt()
      // A copy that went wrong in a way another plan fixes is redone (see fallbackPlan).
      const fallback = {
        placed: request.inputs.map((input, index) => placeInput(input, probes[index] as ProbeResult, index)),
        paths,
        profile,
      }
      let next = fallbackPlan(plan, outcome, fallback)
      while (next) {
        plan = next
        outcome = await attempt()
        next = fallbackPlan(plan, outcome, fallback)
      }
      throwIfAborted(signal)
      // The list is not read again: the scratch folder goes while the output is checked.
      cleanup = rm(privateDir, { recursive: true, force: true })
      cleanup.catch(() => {}) // awaited, and any failure thrown, in `finally`
      const result = await checkOutput({
        file: temp,
        plan,
        final: outcome.final,
        probe: (file) => probe(file, { signal }),
      })
      await rename(temp, output)
      report(1)
      return { strategy: plan.strategy, ...result, reason: plan.reason }
    } catch (error) {
      await rm(temp, { force: true })
      throw wrapError(error, 'cannot join the clips')
    } finally {
      await (cleanup ?? rm(privateDir, { recursive: true, force: true }))
    }
  }

  async function plan(inputs: ConcatInput[], planOptions: PlanOptions = {}): Promise<ConcatPlan> {
    const probes = await probeAll(inputs, planOptions.signal)
    return buildPlan({
      inputs,
      probes,
      strategy: planOptions.strategy ?? defaultStrategy ?? 'auto',
      profile: { ...defaultProfile, ...planOptions.profile },
      paths: {
        output: planOptions.output ?? 'output.mp4',
        list: path.join(tmpdir(), 'mv-ffmpeg-XXXXXX', 'concat.txt'),
      },
    })
  }

  async function thumbnail(
    input: string,
    output: string,
    thumbOptions: ThumbnailOptions = {},
  ): Promise<void> {
    const { signal } = thumbOptions
    const probed = await probe(input, { signal })
    const duration = probed.durationSec
    const wanted = thumbOptions.atSec ?? POSTER_DEFAULTS.atSec(duration)
    // A seek at or past the end yields no frame at all.
    const atSec = Math.max(0, Math.min(wanted, duration - 0.1))
    const target = path.resolve(output)
    const temp = tempBeside(target, 'partial.jpg')
    try {
      const width = thumbOptions.width ?? POSTER_DEFAULTS.width
      const args = thumbnailArgs({ input: probed, output: temp, atSec, width })
      await run(args, 'poster frame', 0, signal)
      const written = await stat(temp).catch(() => null)
      if (!written || written.size === 0) {
        throw transcodeFailed(
          `ffmpeg wrote no frame at ${atSec} s of ${JSON.stringify(path.basename(input))}`,
        )
      }
      await rename(temp, target)
    } catch (error) {
      await rm(temp, { force: true })
      throw wrapError(error, 'cannot make the poster frame')
    }
  }

  /** Scratch folders of dead runs (a worker killed mid-job), older than `olderThanMs`. */
  const sweep = (olderThanMs: number) => sweepScratchDirs(olderThanMs)

  const ladder = (request: LadderRequest) =>
    runLadder(
      {
        probe,
        run: async (runOptions) =>
          runFfmpeg({
            ffmpeg: (await bins()).ffmpeg,
            timeoutMs: options.timeoutMs,
            stallTimeoutMs,
            killGraceMs: options.killGraceMs,
            ...runOptions,
          }),
      },
      {
        ...request,
        profile: { preset: defaultProfile.preset, crf: defaultProfile.crf, ...request.profile },
      },
    )

  return { probe, concat, plan, thumbnail, sweep, ladder }
}
