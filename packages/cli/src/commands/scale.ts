import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { ffmpegTranscoder } from '@mastervideo/adapter-ffmpeg'
import {
  type HlsOptions,
  type LadderResult,
  ladderKeys,
  type RenditionSpec,
  validateEncoding,
  validateLadder,
} from '@mastervideo/core'
import { progressReporter } from '../progress-reporter.js'

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  )

/**
 * `--renditions 720,480` as rendition specs named `720p` and `480p`.
 *
 * @example
 * ```ts
 * parseRenditions('720,480') // [{ name: '720p', height: 720 }, { name: '480p', height: 480 }]
 * ```
 */
export function parseRenditions(value: string): RenditionSpec[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const height = Number(part.replace(/p$/i, ''))
      if (!Number.isInteger(height))
        throw new Error(`--renditions takes heights like 720,480; got ${JSON.stringify(part)}`)
      return { name: `${height}p`, height }
    })
}

/** What {@link writeLadder} makes. */
export interface LadderFilesOptions {
  /** The video the renditions are made from. */
  input: string
  /** The folder the files go to. */
  folder: string
  /**
   * The start of every file's name: `<stem>_720p.mp4`, `<stem>_hls.m3u8`, …
   * Characters other than letters, digits, `.`, `_` and `-` become `_`
   * (the names are store keys, and the playlists name their files by them).
   */
  stem: string
  renditions: RenditionSpec[]
  hls?: boolean | HlsOptions
  preset?: string
  crf?: number
  force?: boolean
  signal: AbortSignal
  label: string
}

/** A file name stem every output store accepts as the start of a key. */
export function plainStem(stem: string): string {
  const plain = stem.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.\.+/g, '.')
  return /^[A-Za-z0-9]/.test(plain) ? plain : `v${plain}`
}

/**
 * Makes renditions (and an HLS ladder) of `input` in one ffmpeg pass and
 * moves them into `folder`. ffmpeg writes into a private folder beside them
 * first: a failed or interrupted run leaves nothing, and no file of the
 * user's is touched unless `force` lets a rendition replace it.
 */
export async function writeLadder(options: LadderFilesOptions): Promise<LadderResult> {
  const encoding = validateLadder(
    validateEncoding({
      renditions: options.renditions,
      hls: options.hls,
      preset: options.preset,
      crf: options.crf,
    }),
  )
  const renditions = encoding.renditions ?? []
  const prefix = plainStem(options.stem)
  if (!options.force) {
    const planned = [
      ...renditions.map((r) => ladderKeys(prefix, r.name).video),
      ...(encoding.hls ? [ladderKeys.master(prefix)] : []),
    ]
    for (const name of planned) {
      if (await exists(path.join(options.folder, name))) {
        throw new Error(`${name} already exists; pass --force to overwrite it`)
      }
    }
  }
  await mkdir(options.folder, { recursive: true })
  const scratch = await mkdtemp(path.join(options.folder, '.mastervideo-ladder-'))
  const progress = progressReporter(options.label)
  try {
    const result = await ffmpegTranscoder().ladder({
      input: path.resolve(options.input),
      directory: scratch,
      prefix,
      renditions,
      hls: encoding.hls ?? null,
      profile: { preset: encoding.preset, crf: encoding.crf },
      signal: options.signal,
      onProgress: progress.update,
    })
    progress.done()
    // Playlists last: a player never finds one naming a segment not moved yet.
    for (const file of result.files) await rename(file.path, path.join(options.folder, file.key))
    return result
  } finally {
    progress.stop()
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Options of `mastervideo scale`. */
export interface ScaleCommandOptions {
  output: string
  height: number
  crf?: number
  preset?: string
  force?: boolean
}

/**
 * `mastervideo scale in.mp4 --height 480 -o out.mp4`: the original system's
 * "scaled video", one rendition of one clip in one ffmpeg pass, no database.
 * The width follows the aspect ratio; a height above the clip's is refused
 * (never upscaled).
 */
export async function scaleCommand(input: string, options: ScaleCommandOptions): Promise<void> {
  const output = path.resolve(options.output)
  if (!options.force && (await exists(output))) {
    throw new Error(`${options.output} already exists; pass --force to overwrite it`)
  }
  const controller = new AbortController()
  const onSignal = () => controller.abort()
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const folder = path.dirname(output)
  // A name of our own, renamed to the output at once; the private folder holds it meanwhile.
  const stem = `mastervideo-scale-${process.pid}-${Date.now()}`
  const started = performance.now()
  try {
    const result = await writeLadder({
      input,
      folder,
      stem,
      renditions: [{ name: `${options.height}p`, height: options.height }],
      preset: options.preset,
      crf: options.crf,
      force: true,
      signal: controller.signal,
      label: `scaling to ${options.height} px`,
    })
    const made = result.renditions[0]
    if (!made) {
      throw new Error(result.skipped[0]?.reason ?? `cannot scale ${input} to ${options.height} px`)
    }
    await rename(path.join(folder, made.key), output)
    const seconds = ((performance.now() - started) / 1000).toFixed(2)
    process.stdout.write(
      `wrote ${options.output}: ${made.width}x${made.height}, ${made.durationSec.toFixed(2)} s, ${(made.size / 1e6).toFixed(1)} MB in ${seconds} s\n`,
    )
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
