// The clips of the realistic bench, generated with ffmpeg's lavfi sources
// (nothing binary is committed): one busy 1080p30 picture encoded once
// (ultrafast, a 2 s GOP, ~16 Mbit/s like a phone's), then every clip a remux
// of it with its own sound, so making ten clips costs one encode.
// A full-size set is kept in the temp dir and reused by the next run.
import { access, copyFile, mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { FFMPEG } from '../test/fixtures.js'

/** How many clips, how long, and their picture. */
export interface ClipSetSpec {
  count: number
  seconds: number
  /** `1920x1080`. */
  size: string
  fps: number
}

/** The two sets of clips a realistic bench joins. */
export interface ClipSets {
  /** Every clip alike in codec parameters (H.264, AAC 48 kHz stereo): `auto` copies them. */
  same: string[]
  /**
   * The same video; clip 1 silent (no audio stream) and clip 2 AAC 44.1 kHz
   * mono, the others as in `same`: `auto` copies the video and encodes the sound.
   */
  mixed: string[]
  /** The folder holding them. */
  dir: string
}

/** Writes `video` with a sine of `frequency` Hz as its sound (AAC), the video copied. */
async function withSound(
  video: string,
  out: string,
  spec: ClipSetSpec,
  sound: { frequency: number; rate: number; channels: 1 | 2 },
): Promise<string> {
  const sine = `sine=frequency=${sound.frequency}:sample_rate=${sound.rate}:duration=${spec.seconds}`
  await execa(FFMPEG, [
    ...['-hide_banner', '-v', 'error', '-y', '-i', video, '-f', 'lavfi', '-i', sine],
    ...['-map', '0:v', '-map', '1:a', '-c:v', 'copy', '-c:a', 'aac', '-ac', String(sound.channels)],
    ...['-shortest', out],
  ])
  return out
}

/** Generates both sets into `dir` (which exists). */
async function generate(dir: string, spec: ClipSetSpec): Promise<void> {
  const video = path.join(dir, 'video-only.mp4')
  const picture = `testsrc2=size=${spec.size}:rate=${spec.fps}:duration=${spec.seconds}`
  await execa(FFMPEG, [
    ...['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i', picture],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', String(spec.fps * 2)],
    video,
  ])
  // Two at a time: each remux is mostly writing the file.
  for (let i = 0; i < spec.count; i += 2) {
    await Promise.all(
      [i, i + 1]
        .filter((n) => n < spec.count)
        .map((n) =>
          withSound(video, path.join(dir, `same-${n}.mp4`), spec, {
            frequency: 220 + 40 * n,
            rate: 48000,
            channels: 2,
          }),
        ),
    )
  }
  await copyFile(video, path.join(dir, 'silent.mp4'))
  await withSound(video, path.join(dir, 'mono-44k.mp4'), spec, { frequency: 330, rate: 44100, channels: 1 })
  await rm(video)
}

/** The realistic clip set: 10 x 60 s of 1080p30. */
export const REALISTIC: ClipSetSpec = { count: 10, seconds: 60, size: '1920x1080', fps: 30 }
/** The `--quick` clip set: 3 x 1 s of 240p. */
export const QUICK: ClipSetSpec = { count: 3, seconds: 1, size: '320x240', fps: 30 }

/** The paths of both sets in `dir`. */
function sets(dir: string, spec: ClipSetSpec): ClipSets {
  const same = Array.from({ length: spec.count }, (_, n) => path.join(dir, `same-${n}.mp4`))
  const mixed = same.map((file, n) =>
    n === 1 ? path.join(dir, 'silent.mp4') : n === 2 ? path.join(dir, 'mono-44k.mp4') : file,
  )
  return { same, mixed, dir }
}

/**
 * Both clip sets of `spec` (at least 3 clips). `cache`: kept in the temp dir
 * under a name of the spec and reused while complete (a set is renamed into
 * place only once every clip is written); otherwise in a new temp folder the
 * caller removes (`sets.dir`).
 *
 * @example
 * ```ts
 * const { same, mixed } = await clipSets({ count: 10, seconds: 60, size: '1920x1080', fps: 30 }, { cache: true })
 * ```
 */
export async function clipSets(spec: ClipSetSpec, options: { cache: boolean }): Promise<ClipSets> {
  if (spec.count < 3) throw new Error('the mixed set needs at least 3 clips')
  const name = `mv-realistic-clips-v1-${spec.count}x${spec.seconds}s-${spec.size}-${spec.fps}`
  const dir = path.join(tmpdir(), options.cache ? name : `${name}-${process.pid}-${Date.now()}`)
  const ready = path.join(dir, 'ready')
  if (
    options.cache &&
    (await access(ready).then(
      () => true,
      () => false,
    ))
  )
    return sets(dir, spec)
  const partial = `${dir}.partial-${process.pid}`
  await rm(partial, { recursive: true, force: true })
  await mkdir(partial, { recursive: true })
  await generate(partial, spec)
  await writeFile(path.join(partial, 'ready'), `${new Date().toISOString()}\n`)
  await rm(dir, { recursive: true, force: true })
  await rename(partial, dir)
  return sets(dir, spec)
}
