import { access, mkdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
import { type ConcatStrategy, isMasterVideoError, validateEncoding } from '@mastervideo/core'
import { progressReporter } from '../progress-reporter.js'
import { parseRenditions, writeLadder } from './scale.js'

/** Options of `mastervideo concat`. */
export interface ConcatCommandOptions {
  output: string
  strategy?: ConcatStrategy
  preset?: string
  crf?: number
  size?: string
  fps?: number
  /** Overwrite `output` if it exists. Without it an existing file is refused before any work. */
  force?: boolean
  /** Heights of renditions to make from the joined video (`720,480`), in one more ffmpeg pass. */
  renditions?: string
  /** Also write an HLS ladder of the renditions; a number is the segment length in seconds. */
  hls?: boolean | string
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  )

/** A refused forced copy also says what to type instead: the CLI prints `hint` on a line of its own. */
function withStrategyHint(error: unknown, strategy: ConcatStrategy | undefined): unknown {
  if (strategy !== 'copy' || !isMasterVideoError(error) || error.code !== 'INPUT_INVALID') return error
  return Object.assign(error, {
    hint: 'run it again with --strategy auto: it copies when the clips match and re-encodes when they differ',
  })
}

function parseSize(size: string | undefined): { width?: number; height?: number } {
  if (size === undefined) return {}
  const match = /^(\d+)x(\d+)$/.exec(size)
  if (!match) throw new Error(`--size must look like 1280x720, got ${JSON.stringify(size)}`)
  return { width: Number(match[1]), height: Number(match[2]) }
}

/** `mastervideo concat a.mp4 b.mp4 -o out.mp4`: one concat, no database, progress on stderr. */
export async function concatCommand(inputs: string[], options: ConcatCommandOptions): Promise<void> {
  const encoding = validateEncoding({
    strategy: options.strategy,
    preset: options.preset,
    crf: options.crf,
    fps: options.fps,
    ...parseSize(options.size),
  })
  const { strategy, ...profile } = encoding
  const output = path.resolve(options.output)
  if (!options.force && (await exists(output))) {
    throw new Error(`${options.output} already exists; pass --force to overwrite it`)
  }
  const renditions = options.renditions === undefined ? [] : parseRenditions(options.renditions)
  const hls = typeof options.hls === 'string' ? { segmentSec: Number(options.hls) } : options.hls
  if (hls && renditions.length === 0)
    throw new Error('--hls needs --renditions (the ladder streams the renditions)')
  await mkdir(path.dirname(output), { recursive: true })
  const controller = new AbortController()
  const onSignal = () => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const progress = progressReporter(`joining ${inputs.length} clips`)
  const started = performance.now()
  try {
    const result = await ffmpegTranscoder().concat({
      inputs: inputs.map((input) => ({ path: path.resolve(input) })),
      output,
      // Unset: the transcoder's default (copy when the clips match, else re-encode).
      strategy,
      profile,
      signal: controller.signal,
      onProgress: progress.update,
    })
    progress.done()
    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    const megabytes = ((await stat(output)).size / 1e6).toFixed(1)
    process.stdout.write(
      `wrote ${options.output}: ${result.strategy}, ${result.width}x${result.height}, ${result.durationSec.toFixed(2)} s, ${megabytes} MB in ${seconds} s\n`,
    )
    if (result.reason) process.stdout.write(`why ${result.strategy}: ${result.reason}\n`)
    if (renditions.length > 0) {
      const ladder = await writeLadder({
        input: output,
        folder: path.dirname(output),
        stem: path.basename(output, path.extname(output)),
        renditions,
        hls,
        preset: options.preset,
        crf: options.crf,
        force: options.force,
        signal: controller.signal,
        label: `encoding ${renditions.length} renditions`,
      })
      for (const r of ladder.renditions) {
        process.stdout.write(`wrote ${r.key}: ${r.width}x${r.height}, ${(r.size / 1e6).toFixed(1)} MB\n`)
      }
      for (const skipped of ladder.skipped)
        process.stdout.write(`skipped ${skipped.name}: ${skipped.reason}\n`)
      if (ladder.hls) process.stdout.write(`wrote ${ladder.hls.masterKey}: HLS master playlist\n`)
    }
  } catch (error) {
    throw withStrategyHint(error, strategy)
  } finally {
    progress.stop()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
