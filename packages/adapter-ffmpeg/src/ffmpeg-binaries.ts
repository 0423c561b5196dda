/** Where the two programs live. */
export interface FfmpegBinaries {
  ffmpeg: string
  ffprobe: string
}

/**
 * Resolves the binaries: an explicit option wins, then `FFMPEG_PATH` /
 * `FFPROBE_PATH`, then the copies the `@ffmpeg-installer` packages ship. The
 * installer packages are loaded only when needed, because they throw on a
 * platform they have no binary for, and a host with its own ffmpeg should not
 * care.
 *
 * @example
 * ```ts
 * import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
 *
 * const { ffmpeg, ffprobe } = await resolveBinaries({ ffmpegPath: '/usr/bin/ffmpeg' })
 * console.log(ffmpeg, ffprobe)
 * ```
 */
export async function resolveBinaries(options: {
  ffmpegPath?: string | undefined
  ffprobePath?: string | undefined
}): Promise<FfmpegBinaries> {
  const ffmpeg =
    options.ffmpegPath ??
    nonEmpty(process.env.FFMPEG_PATH) ??
    (await import('@ffmpeg-installer/ffmpeg')).default.path
  const ffprobe =
    options.ffprobePath ??
    nonEmpty(process.env.FFPROBE_PATH) ??
    (await import('@ffprobe-installer/ffprobe')).default.path
  return { ffmpeg, ffprobe }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}
