// The one-shot "scaled video" from the command line: `scale` writes one
// smaller version of a clip; `concat` with `--renditions` and `--hls` writes
// the renditions and an HLS ladder beside the joined video.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

let dir: string
let clip: string
let ffprobe: string

async function heightOf(file: string): Promise<{ width: number; height: number }> {
  const { stdout } = await execa(ffprobe, [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height',
    '-of',
    'json',
    file,
  ])
  return (JSON.parse(stdout) as { streams: Array<{ width: number; height: number }> }).streams[0] as {
    width: number
    height: number
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-cli-scale-'))
  const pair = await resolveBinaries({})
  ffprobe = pair.ffprobe
  clip = path.join(dir, 'in.mp4')
  await execa(pair.ffmpeg, [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=320x240:rate=25:duration=2',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    clip,
  ])
}, 60_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('mastervideo scale', () => {
  it('writes a smaller version, the width following the aspect ratio', async () => {
    const out = path.join(dir, 'out.mp4')
    const result = await runCli(['scale', clip, '--height', '120', '--preset', 'ultrafast', '-o', out])
    expect(result.stderr).not.toContain('mastervideo:')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('160x120')
    expect(await heightOf(out)).toEqual({ width: 160, height: 120 })
    // Nothing else was left in the folder.
    expect((await readdir(dir)).sort()).toEqual(['in.mp4', 'out.mp4'])
  }, 60_000)

  it('refuses to upscale, and to overwrite without --force', async () => {
    const up = await runCli(['scale', clip, '--height', '480', '-o', path.join(dir, 'up.mp4')])
    expect(up.exitCode).toBe(1)
    expect(up.stderr).toContain('never upscaled')
    await writeFile(path.join(dir, 'taken.mp4'), 'x')
    const taken = await runCli(['scale', clip, '--height', '120', '-o', path.join(dir, 'taken.mp4')])
    expect(taken.exitCode).toBe(1)
    expect(taken.stderr).toContain('--force')
  }, 60_000)
})

describe('mastervideo concat --renditions --hls', () => {
  it('writes the joined video, its renditions and an HLS ladder beside it', async () => {
    const folder = await mkdtemp(path.join(dir, 'ladder-'))
    const out = path.join(folder, 'one.mp4')
    const result = await runCli([
      'concat',
      clip,
      '-o',
      out,
      '--renditions',
      '180,120,720',
      '--hls',
      '1',
      '--preset',
      'ultrafast',
    ])
    expect(result.stderr).not.toContain('mastervideo:')
    expect(result.exitCode).toBe(0)
    // One input: the master is the clip by stream copy.
    expect(result.stdout).toContain('wrote')
    expect(result.stdout).toMatch(/: copy, 320x240/)
    expect(result.stdout).toContain('skipped 720p')
    const names = await readdir(folder)
    expect(names).toEqual(expect.arrayContaining(['one.mp4', 'one_180p.mp4', 'one_120p.mp4', 'one_hls.m3u8']))
    expect(names.some((n) => n.startsWith('.mastervideo-ladder-'))).toBe(false)
    expect(await heightOf(path.join(folder, 'one_180p.mp4'))).toEqual({ width: 240, height: 180 })
    const master = await readFile(path.join(folder, 'one_hls.m3u8'), 'utf8')
    expect(master).toContain('one_hls_180p.m3u8')
    const { stdout } = await execa(ffprobe, [
      '-v',
      'error',
      '-protocol_whitelist',
      'file',
      '-show_entries',
      'stream=codec_type',
      '-of',
      'csv=p=0',
      path.join(folder, 'one_hls.m3u8'),
    ])
    expect(stdout).toContain('video')
  }, 120_000)

  it('--hls without --renditions is refused before any work', async () => {
    const result = await runCli(['concat', clip, '-o', path.join(dir, 'nohls.mp4'), '--hls'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('--renditions')
  }, 60_000)
})
