// ffmpeg and ffprobe come as a pair from one source: option, environment, a
// current pair on PATH with libx264, then the bundled pair. Fake binaries
// (shell scripts that print a -version banner) stand for builds of each kind.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resolveBinaries } from '../src/ffmpeg-binaries.js'
import { buildOf, newEnough, pairWarnings, parseBuild } from '../src/ffmpeg-build-info.js'

const require = createRequire(import.meta.url)
const BUNDLED = {
  ffmpeg: require('@ffmpeg-installer/ffmpeg').path as string,
  ffprobe: require('@ffprobe-installer/ffprobe').path as string,
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-binaries-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const banner = (name: string, version: string, year: number, x264 = true) =>
  `${name} version ${version} Copyright (c) 2000-${year} the FFmpeg developers\nbuilt with gcc 12\nconfiguration: --enable-gpl${x264 ? ' --enable-libx264' : ''}\n`

/** A folder holding fake `ffmpeg` and/or `ffprobe` that print the given banners. */
async function fakeFolder(
  name: string,
  builds: { ffmpeg?: [string, number, boolean?]; ffprobe?: [string, number, boolean?] },
): Promise<string> {
  const folder = path.join(dir, name)
  await mkdir(folder, { recursive: true })
  for (const tool of ['ffmpeg', 'ffprobe'] as const) {
    const build = builds[tool]
    if (!build) continue
    const file = path.join(folder, tool)
    await writeFile(file, `#!/bin/sh\ncat <<'EOF'\n${banner(tool, build[0], build[1], build[2])}EOF\n`)
    await chmod(file, 0o755)
  }
  return folder
}

describe('resolveBinaries: one pair, one source', () => {
  it('takes both options as given', async () => {
    const pair = await resolveBinaries({
      ffmpegPath: '/opt/a/ffmpeg',
      ffprobePath: '/opt/b/ffprobe',
      env: {},
    })
    expect(pair).toEqual({ ffmpeg: '/opt/a/ffmpeg', ffprobe: '/opt/b/ffprobe', source: 'option' })
  })

  it('completes one option with its sibling in the same folder', async () => {
    const folder = await fakeFolder('sibling', { ffmpeg: ['7.1', 2025], ffprobe: ['7.1', 2025] })
    const pair = await resolveBinaries({ ffmpegPath: path.join(folder, 'ffmpeg'), env: {} })
    expect(pair).toEqual({
      ffmpeg: path.join(folder, 'ffmpeg'),
      ffprobe: path.join(folder, 'ffprobe'),
      source: 'option',
    })
  })

  it('completes a lone option from the next source and says where the other half came from', async () => {
    const folder = await fakeFolder('lone', { ffmpeg: ['7.1', 2025] })
    const pair = await resolveBinaries({
      ffmpegPath: path.join(folder, 'ffmpeg'),
      env: {},
      searchPath: false,
    })
    expect(pair).toEqual({
      ffmpeg: path.join(folder, 'ffmpeg'),
      ffprobe: BUNDLED.ffprobe,
      source: 'option',
      ffprobeSource: 'bundled',
    })
  })

  it('reads MASTERVIDEO_FFMPEG / MASTERVIDEO_FFPROBE before FFMPEG_PATH / FFPROBE_PATH', async () => {
    const pair = await resolveBinaries({
      env: {
        MASTERVIDEO_FFMPEG: '/new/ffmpeg',
        MASTERVIDEO_FFPROBE: '/new/ffprobe',
        FFMPEG_PATH: '/old/ffmpeg',
        FFPROBE_PATH: '/old/ffprobe',
      },
    })
    expect(pair).toEqual({ ffmpeg: '/new/ffmpeg', ffprobe: '/new/ffprobe', source: 'environment' })
    expect(
      await resolveBinaries({ env: { FFMPEG_PATH: '/old/ffmpeg', FFPROBE_PATH: '/old/ffprobe' } }),
    ).toEqual({ ffmpeg: '/old/ffmpeg', ffprobe: '/old/ffprobe', source: 'environment' })
  })

  it('options win over the environment', async () => {
    const pair = await resolveBinaries({
      ffmpegPath: '/opt/ffmpeg',
      ffprobePath: '/opt/ffprobe',
      env: { MASTERVIDEO_FFMPEG: '/env/ffmpeg', MASTERVIDEO_FFPROBE: '/env/ffprobe' },
    })
    expect(pair.source).toBe('option')
  })

  it('takes a current pair with libx264 from PATH, skipping folders with an old, mixed, x264-less or half pair', async () => {
    const old = await fakeFolder('old', { ffmpeg: ['4.1.3', 2018], ffprobe: ['4.1.3', 2018] })
    const mixed = await fakeFolder('mixed', {
      ffmpeg: ['N-47683-g0e8eb07980-static', 2018],
      ffprobe: ['N-66595-gc2b38619c0-static', 2023],
    })
    const noX264 = await fakeFolder('no-x264', {
      ffmpeg: ['6.1.1', 2023, false],
      ffprobe: ['6.1.1', 2023, false],
    })
    const half = await fakeFolder('half', { ffprobe: ['7.0', 2024] })
    const good = await fakeFolder('good', {
      ffmpeg: ['5.1.6-0+deb12u1', 2024],
      ffprobe: ['5.1.6-0+deb12u1', 2024],
    })
    const PATH = [old, mixed, noX264, half, good].join(path.delimiter)
    const pair = await resolveBinaries({ env: { PATH } })
    expect(pair).toEqual({
      ffmpeg: path.join(good, 'ffmpeg'),
      ffprobe: path.join(good, 'ffprobe'),
      source: 'path',
    })
  })

  it('falls back to the bundled pair and says what on PATH it passed over', async () => {
    const old = await fakeFolder('only-old', { ffmpeg: ['4.0', 2018], ffprobe: ['4.0', 2018] })
    const pair = await resolveBinaries({ env: { PATH: old } })
    expect(pair).toEqual({
      ...BUNDLED,
      source: 'bundled',
      skipped: [`${old}: ffmpeg 4.0 (2018) is older than 4.4`],
    })
    expect(await resolveBinaries({ env: { PATH: '' } })).toEqual({ ...BUNDLED, source: 'bundled' })
  })
})

describe('build facts', () => {
  it('reads a release, a distribution build and a git snapshot', () => {
    expect(parseBuild(banner('ffmpeg', '7.1.1', 2025))).toEqual({
      version: '7.1.1',
      release: [7, 1],
      year: 2025,
      libx264: true,
    })
    expect(parseBuild(banner('ffmpeg', 'n6.1', 2023, false))).toMatchObject({
      release: [6, 1],
      libx264: false,
    })
    const snapshot = parseBuild(banner('ffmpeg', 'N-47683-g0e8eb07980-static', 2018))
    expect(snapshot).toEqual({ version: 'N-47683-g0e8eb07980-static', year: 2018, libx264: true })
    expect(newEnough(snapshot)).toBe(false)
    expect(newEnough({ version: 'N-1', year: 2024, libx264: true })).toBe(true)
    expect(newEnough({ version: '4.4.2', release: [4, 4], libx264: true })).toBe(true)
    expect(newEnough({ version: '4.3', release: [4, 3], libx264: true })).toBe(false)
  })

  it('warns about the bundled pair: two builds, and a 2018 ffmpeg decoding uploads', async () => {
    const [ffmpeg, ffprobe] = await Promise.all([buildOf(BUNDLED.ffmpeg), buildOf(BUNDLED.ffprobe)])
    const warnings = pairWarnings(ffmpeg, ffprobe)
    if (ffmpeg.version === ffprobe.version) return // a newer bundled pair: nothing to warn about
    expect(warnings[0]).toMatch(/^ffmpeg and ffprobe are different builds/)
    if ((ffmpeg.year ?? 9999) <= 2019) {
      expect(warnings).toContainEqual(
        expect.stringMatching(/^ffmpeg is a \d{4} build: it decodes untrusted uploads/),
      )
    }
  })

  it('has nothing to say about one current build with libx264', () => {
    const build = parseBuild(banner('ffmpeg', '7.1', 2025))
    expect(pairWarnings(build, { ...build })).toEqual([])
    expect(pairWarnings({ ...build, libx264: false }, build)).toEqual([
      'ffmpeg was built without libx264: re-encoding needs it',
    ])
  })
})
