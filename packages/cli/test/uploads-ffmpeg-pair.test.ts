// doctor says which ffmpeg/ffprobe pair decodes uploads, from where, how old,
// and warns when it is a 2018 build or two different builds.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDoctor } from '../src/commands/doctor.js'

let dir: string
const saved = { ffmpeg: process.env.MASTERVIDEO_FFMPEG, ffprobe: process.env.MASTERVIDEO_FFPROBE }

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-pair-'))
})
afterAll(async () => {
  for (const [key, value] of [
    ['MASTERVIDEO_FFMPEG', saved.ffmpeg],
    ['MASTERVIDEO_FFPROBE', saved.ffprobe],
  ] as const) {
    if (value === undefined) delete process.env[key]
    else process.env[key] = value
  }
  await rm(dir, { recursive: true, force: true })
})

/** A fake binary that prints the banner of a build of `year`. */
async function fake(name: string, version: string, year: number): Promise<string> {
  const file = path.join(dir, `${name}-${year}`)
  const banner = `${name} version ${version} Copyright (c) 2000-${year} the FFmpeg developers\nconfiguration: --enable-libx264\n`
  await writeFile(file, `#!/bin/sh\ncat <<'EOF'\n${banner}EOF\n`)
  await chmod(file, 0o755)
  return file
}

describe('doctor: the ffmpeg pair', () => {
  it('names the source and the build of each half of the pair in use', async () => {
    delete process.env.MASTERVIDEO_FFMPEG
    delete process.env.MASTERVIDEO_FFPROBE
    const pair = (await runDoctor({ data: path.join(dir, 'data') })).find((c) => c.name === 'ffmpeg pair')
    expect(pair?.ok).toBe(true)
    expect(pair?.detail).toMatch(/^from (option|environment|path|bundled): ffmpeg \S+.*, ffprobe \S+/)
    // The bundled pair today: a 2018 ffmpeg and a 2023 ffprobe, and doctor says so.
    if (pair?.detail.startsWith('from bundled') && pair.detail.includes('(2018)')) {
      expect(pair.warnings).toContainEqual(expect.stringMatching(/^ffmpeg and ffprobe are different builds/))
      expect(pair.warnings).toContainEqual(
        expect.stringMatching(/^ffmpeg is a 2018 build: it decodes untrusted uploads/),
      )
    }
  })

  it('warns when a 2018 build from the environment would decode uploads, without failing', async () => {
    process.env.MASTERVIDEO_FFMPEG = await fake('ffmpeg', '4.0.2', 2018)
    process.env.MASTERVIDEO_FFPROBE = await fake('ffprobe', '4.0.2', 2018)
    const pair = (await runDoctor({ data: path.join(dir, 'data') })).find((c) => c.name === 'ffmpeg pair')
    expect(pair).toEqual({
      name: 'ffmpeg pair',
      ok: true,
      detail: 'from environment: ffmpeg 4.0.2 (2018), ffprobe 4.0.2 (2018)',
      warnings: [
        expect.stringMatching(/^ffmpeg is a 2018 build: it decodes untrusted uploads/),
        expect.stringMatching(/^ffprobe is a 2018 build/),
      ],
    })
  })
})
