import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { execa } from 'execa'

/** One generated sample clip. */
interface SampleClip {
  file: string
  /** lavfi video source */
  video: string
  /** lavfi audio source, or null for a clip without sound */
  audio: string | null
  seconds: number
}

// Different sizes, one without audio: enough to show both strategies.
const SAMPLES: SampleClip[] = [
  {
    file: '01-bars.mp4',
    video: 'testsrc2=size=640x360:rate=30',
    audio: 'sine=frequency=440:sample_rate=48000',
    seconds: 3,
  },
  {
    file: '02-gradient.mp4',
    video: 'testsrc=size=640x360:rate=30',
    audio: 'sine=frequency=660:sample_rate=48000',
    seconds: 3,
  },
  {
    file: '03-mandelbrot.mp4',
    video: 'mandelbrot=size=640x360:rate=30',
    audio: 'sine=frequency=880:sample_rate=48000',
    seconds: 3,
  },
  { file: '04-square-silent.mp4', video: 'smptebars=size=480x480:rate=25', audio: null, seconds: 2 },
  {
    file: '05-portrait.mp4',
    video: 'rgbtestsrc=size=360x640:rate=30',
    audio: 'sine=frequency=330:sample_rate=44100',
    seconds: 2,
  },
]

/** The ffmpeg arguments that render one sample clip (H.264/AAC, yuv420p, faststart). */
export function sampleClipArgs(clip: SampleClip, output: string): string[] {
  const length = ['-t', String(clip.seconds)]
  const args = ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', ...length, '-i', clip.video]
  if (clip.audio) args.push('-f', 'lavfi', ...length, '-i', clip.audio)
  args.push('-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '30')
  if (clip.audio) args.push('-c:a', 'aac', '-ac', '2', '-b:a', '96k', '-shortest')
  args.push('-movflags', '+faststart', output)
  return args
}

/**
 * Writes the demo project (`<assetsRoot>/demo/`) on first run: five short
 * clips rendered from ffmpeg's lavfi test sources, in different sizes and one
 * without audio. Does nothing when the folder already has clips. Each clip is
 * rendered to a temporary name and renamed, so an interrupted first run
 * leaves no broken clip behind.
 */
export async function ensureDemoProject(assetsRoot: string, ffmpegPath: string): Promise<boolean> {
  const dir = path.join(assetsRoot, 'demo')
  await mkdir(dir, { recursive: true })
  const existing = await readdir(dir)
  if (existing.some((name) => name.endsWith('.mp4'))) return false
  await writeFile(path.join(dir, 'project.json'), `${JSON.stringify({ name: 'Demo project' }, null, 2)}\n`)
  await Promise.all(
    SAMPLES.map(async (clip) => {
      const temp = path.join(dir, `.tmp-${clip.file}`)
      try {
        await execa(ffmpegPath, sampleClipArgs(clip, temp))
        await rename(temp, path.join(dir, clip.file))
      } finally {
        await rm(temp, { force: true })
      }
    }),
  )
  return true
}
