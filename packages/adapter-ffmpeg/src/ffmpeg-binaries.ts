import { constants } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import path from 'node:path'
import { buildOf, describeBuild, newEnough } from './ffmpeg-build-info.js'

/** Where a binary was found: an option, the environment, `PATH`, or the npm packages bundled with this adapter. */
export type BinarySource = 'option' | 'environment' | 'path' | 'bundled'

/** Where the two programs live. */
export interface FfmpegBinaries {
  ffmpeg: string
  ffprobe: string
  /** Where the pair (or ffmpeg, when the two differ) came from. */
  source?: BinarySource
  /**
   * Where ffprobe came from, set only when it is not where ffmpeg came from:
   * an option or variable named one of the two and the other has no sibling.
   */
  ffprobeSource?: BinarySource
  /** Why pairs earlier in the order were passed over (an old or incomplete build on `PATH`). */
  skipped?: string[]
}

/** What {@link resolveBinaries} reads. */
export interface ResolveBinariesOptions {
  ffmpegPath?: string | undefined
  ffprobePath?: string | undefined
  /** Default `process.env` (`MASTERVIDEO_FFMPEG`, `MASTERVIDEO_FFPROBE`, `FFMPEG_PATH`, `FFPROBE_PATH`, `PATH`). */
  env?: Record<string, string | undefined>
  /** Look for a pair on `PATH`. Default true. */
  searchPath?: boolean
}

const EXE = process.platform === 'win32' ? '.exe' : ''

/**
 * Resolves ffmpeg and ffprobe as a pair from one source, first found:
 *
 * 1. the options `ffmpegPath` / `ffprobePath`;
 * 2. the environment: `MASTERVIDEO_FFMPEG` / `MASTERVIDEO_FFPROBE`, or the
 *    older `FFMPEG_PATH` / `FFPROBE_PATH`;
 * 3. a folder on `PATH` holding both, when they are the same build, a release
 *    4.4 or newer (or a 2021+ snapshot) and ffmpeg has libx264;
 * 4. the binaries of `@ffmpeg-installer/ffmpeg` and `@ffprobe-installer/ffprobe`.
 *
 * When an option or variable names only one of the two, the other is its
 * sibling in the same folder if there is one; otherwise it comes from the
 * next source and `ffprobeSource` says so. The bundled packages are loaded
 * only when reached, because they throw on a platform they have no binary
 * for. The `PATH` search runs each candidate once per process.
 *
 * @example
 * ```ts
 * import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
 *
 * const { ffmpeg, ffprobe, source } = await resolveBinaries({})
 * console.log(source, ffmpeg, ffprobe) // e.g. 'path' /usr/bin/ffmpeg /usr/bin/ffprobe
 * ```
 */
export async function resolveBinaries(options: ResolveBinariesOptions = {}): Promise<FfmpegBinaries> {
  const env = options.env ?? process.env
  const given: Array<[BinarySource, string | undefined, string | undefined]> = [
    ['option', nonEmpty(options.ffmpegPath), nonEmpty(options.ffprobePath)],
    [
      'environment',
      nonEmpty(env.MASTERVIDEO_FFMPEG) ?? nonEmpty(env.FFMPEG_PATH),
      nonEmpty(env.MASTERVIDEO_FFPROBE) ?? nonEmpty(env.FFPROBE_PATH),
    ],
  ]
  for (const [source, ffmpeg, ffprobe] of given) {
    if (ffmpeg && ffprobe) return { ffmpeg, ffprobe, source }
    if (!ffmpeg && !ffprobe) continue
    const sibling = await siblingOf((ffmpeg ?? ffprobe) as string, ffmpeg ? 'ffprobe' : 'ffmpeg')
    if (sibling)
      return ffmpeg
        ? { ffmpeg, ffprobe: sibling, source }
        : { ffmpeg: sibling, ffprobe: ffprobe as string, source }
    // The missing half comes from the sources after this one.
    const rest = await resolveBinaries({
      env: source === 'option' ? env : { PATH: env.PATH },
      searchPath: options.searchPath,
    })
    if (ffmpeg) {
      return {
        ffmpeg,
        ffprobe: rest.ffprobe,
        source,
        ffprobeSource: rest.ffprobeSource ?? rest.source ?? 'bundled',
      }
    }
    return {
      ffmpeg: rest.ffmpeg,
      ffprobe: ffprobe as string,
      source: rest.source ?? 'bundled',
      ffprobeSource: source,
    }
  }
  const skipped: string[] = []
  if (options.searchPath ?? true) {
    const found = await pathPair(env.PATH ?? '')
    if (found.pair) return { ...found.pair, source: 'path' }
    skipped.push(...found.skipped)
  }
  return { ...(await bundledPair()), source: 'bundled', ...(skipped.length > 0 ? { skipped } : {}) }
}

let bundled: Promise<{ ffmpeg: string; ffprobe: string }> | undefined

/**
 * The binaries the npm packages ship (today: a 2018 ffmpeg, a 2023 ffprobe;
 * `doctor` warns). Loaded once per process: a new transcoder then resolves
 * its pair without two module look-ups. A failed load is not kept.
 */
function bundledPair(): Promise<{ ffmpeg: string; ffprobe: string }> {
  bundled ??= Promise.all([import('@ffmpeg-installer/ffmpeg'), import('@ffprobe-installer/ffprobe')]).then(
    ([ffmpeg, ffprobe]) => ({ ffmpeg: ffmpeg.default.path, ffprobe: ffprobe.default.path }),
    (error: unknown) => {
      bundled = undefined
      throw error
    },
  )
  return bundled
}

async function siblingOf(file: string, name: 'ffmpeg' | 'ffprobe'): Promise<string | null> {
  const candidate = path.join(path.dirname(file), `${name}${EXE}`)
  return (await isExecutable(candidate)) ? candidate : null
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false
    await access(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

interface PathSearch {
  pair?: { ffmpeg: string; ffprobe: string }
  skipped: string[]
}

const searches = new Map<string, Promise<PathSearch>>()

/** The first folder on `PATH` with a usable ffmpeg and ffprobe of one build (memoized per `PATH` value). */
function pathPair(searchPath: string): Promise<PathSearch> {
  let search = searches.get(searchPath)
  if (!search) {
    search = findPathPair(searchPath)
    searches.set(searchPath, search)
  }
  return search
}

async function findPathPair(searchPath: string): Promise<PathSearch> {
  const skipped: string[] = []
  const seen = new Set<string>()
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir || seen.has(dir)) continue
    seen.add(dir)
    const ffmpeg = path.join(dir, `ffmpeg${EXE}`)
    const ffprobe = path.join(dir, `ffprobe${EXE}`)
    const [hasFfmpeg, hasFfprobe] = await Promise.all([isExecutable(ffmpeg), isExecutable(ffprobe)])
    if (!hasFfmpeg && !hasFfprobe) continue
    if (!hasFfmpeg || !hasFfprobe) {
      skipped.push(
        `${dir} has ${hasFfmpeg ? 'ffmpeg' : 'ffprobe'} without ${hasFfmpeg ? 'ffprobe' : 'ffmpeg'}`,
      )
      continue
    }
    const builds = await Promise.all([buildOf(ffmpeg), buildOf(ffprobe)]).catch((error: Error) => error)
    if (builds instanceof Error) {
      skipped.push(`${dir}: ffmpeg or ffprobe does not run (${builds.message.split('\n')[0]})`)
      continue
    }
    const [mpeg, probe] = builds
    if (mpeg.version !== probe.version) {
      skipped.push(`${dir}: ffmpeg ${mpeg.version} and ffprobe ${probe.version} are different builds`)
    } else if (!newEnough(mpeg)) {
      skipped.push(`${dir}: ffmpeg ${describeBuild(mpeg)} is older than 4.4`)
    } else if (!mpeg.libx264) {
      skipped.push(`${dir}: ffmpeg ${mpeg.version} has no libx264`)
    } else {
      return { pair: { ffmpeg, ffprobe }, skipped }
    }
  }
  return { skipped }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
