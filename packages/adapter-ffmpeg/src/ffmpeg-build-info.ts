import { execa } from 'execa'

/** What one ffmpeg or ffprobe binary says about itself (`-version`). */
export interface FfmpegBuild {
  /** The version as printed: `7.1.1`, `5.1.6-0+deb12u1`, or a git build such as `N-47683-g0e8eb07980-static`. */
  version: string
  /** `[major, minor]` of a release build; absent for git snapshots (`N-…`). */
  release?: [number, number]
  /** The last year of its copyright line: when its source was taken, the best build date a static build states. */
  year?: number
  /** Whether `--enable-libx264` is in its configuration. */
  libx264: boolean
}

/** The oldest release the pair search accepts on `PATH`: 4.4 (2021), the newest of the long-lived 4.x line. */
export const MIN_RELEASE: readonly [number, number] = [4, 4]
/** The oldest git snapshot year accepted, for `N-…` builds that state no release (4.4 came out in 2021). */
export const MIN_SNAPSHOT_YEAR = 2021
/** A build whose source is this old or older predates years of demuxer and decoder security fixes. */
export const OLD_BUILD_YEAR = 2019

/**
 * Reads `ffmpeg -version` or `ffprobe -version` output.
 *
 * @example
 * ```ts
 * parseBuild('ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers\n…--enable-libx264…')
 * // { version: '5.1.6-0+deb12u1', release: [5, 1], year: 2024, libx264: true }
 * ```
 */
export function parseBuild(text: string): FfmpegBuild {
  const version = /\bversion\s+(\S+)/.exec(text)?.[1] ?? 'unknown'
  const release = /^n?(\d+)\.(\d+)/.exec(version)
  const year = /Copyright \(c\) \d{4}-(\d{4})/.exec(text)?.[1]
  return {
    version,
    ...(release ? { release: [Number(release[1]), Number(release[2])] as [number, number] } : {}),
    ...(year ? { year: Number(year) } : {}),
    libx264: /--enable-libx264\b/.test(text),
  }
}

/** Runs `<binary> -version` and reads it; rejects when it does not run. */
export async function buildOf(binary: string): Promise<FfmpegBuild> {
  const { stdout } = await execa(binary, ['-hide_banner', '-version'], { stdin: 'ignore', timeout: 10_000 })
  // -hide_banner drops the copyright line from some builds; the plain banner has it.
  const banner = /Copyright/.test(stdout)
    ? stdout
    : (await execa(binary, ['-version'], { stdin: 'ignore', timeout: 10_000 })).stdout
  return parseBuild(banner)
}

/** Whether a build is recent enough to decode what strangers upload: release 4.4+, or a 2021+ snapshot. */
export function newEnough(build: FfmpegBuild): boolean {
  if (build.release) {
    const [major, minor] = build.release
    return major > MIN_RELEASE[0] || (major === MIN_RELEASE[0] && minor >= MIN_RELEASE[1])
  }
  return (build.year ?? 0) >= MIN_SNAPSHOT_YEAR
}

/** `5.1.6-0+deb12u1 (2024)`: a build as one line of a report. */
export function describeBuild(build: FfmpegBuild): string {
  return `${build.version}${build.year ? ` (${build.year})` : ''}`
}

/**
 * Why a pair should not decode untrusted uploads, in words for `doctor`; empty
 * when nothing is wrong: builds of different versions (they can disagree about
 * a file: ffprobe accepts what ffmpeg then fails on), a build from
 * {@link OLD_BUILD_YEAR} or before, an ffmpeg without libx264.
 *
 * @example
 * ```ts
 * pairWarnings({ version: 'N-1', year: 2018, libx264: true }, { version: 'N-2', year: 2023, libx264: true })
 * // ['ffmpeg and ffprobe are different builds (N-1 (2018), N-2 (2023)): …', 'ffmpeg is a 2018 build: …']
 * ```
 */
export function pairWarnings(ffmpeg: FfmpegBuild, ffprobe: FfmpegBuild): string[] {
  const warnings: string[] = []
  if (ffmpeg.version !== ffprobe.version) {
    warnings.push(
      `ffmpeg and ffprobe are different builds (${describeBuild(ffmpeg)}, ${describeBuild(ffprobe)}): they can disagree about a file`,
    )
  }
  for (const [name, build] of [
    ['ffmpeg', ffmpeg],
    ['ffprobe', ffprobe],
  ] as const) {
    if (build.year !== undefined && build.year <= OLD_BUILD_YEAR) {
      warnings.push(
        `${name} is a ${build.year} build: it decodes untrusted uploads without years of security fixes; install a current ffmpeg/ffprobe pair on PATH or set MASTERVIDEO_FFMPEG and MASTERVIDEO_FFPROBE`,
      )
    }
  }
  if (!ffmpeg.libx264) warnings.push('ffmpeg was built without libx264: re-encoding needs it')
  return warnings
}
