// Runs the script example the way its README says, on clips rendered with
// ffmpeg's lavfi sources, and checks the master video it writes.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ffmpegTranscoder, resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { execa } from 'execa'
import { ensureDemoProject } from 'mastervideo'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const example = path.resolve(import.meta.dirname, '..')
let dir: string
let clips: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-script-'))
  await ensureDemoProject(dir, (await resolveBinaries({})).ffmpeg)
  clips = path.join(dir, 'demo')
}, 120_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const run = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, ['--conditions=@mastervideo/source', '--import', 'tsx', 'src/main.ts', ...args], {
    cwd: example,
    reject: false,
    env,
  })

describe('examples/script', () => {
  it('joins a folder of clips into one master video and prints its progress', {
    timeout: 120_000,
  }, async () => {
    const out = path.join(dir, 'out')
    const result = await run([clips, out])
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^started master_\d+_[a-z0-9]{8} \(attempt 1\)$/m)
    expect(result.stdout).toMatch(/^progress \d+%$/m)
    const file = /^done: (\S+) \((copy|reencode),/m.exec(result.stdout)?.[1] as string
    expect(file).toBeDefined()
    // Five clips of different sizes, one silent: re-encoded to the first clip's size.
    const probe = await ffmpegTranscoder().probe(file)
    expect(probe.durationSec).toBeGreaterThan(12.5)
    expect(probe.durationSec).toBeLessThan(13.5)
    expect(probe.streams.find((s) => s.type === 'video')).toMatchObject({ width: 640, height: 360 })
    expect((await stat(file)).size).toBeGreaterThan(0)
    expect((await readdir(out)).some((f) => f.endsWith('.jpg'))).toBe(true)
  })

  it('reads relative folders from where npm was started, and writes to data/script-output there', {
    timeout: 120_000,
  }, async () => {
    // `npm start -w` runs main.ts inside examples/script; npm puts the folder
    // the user typed the command in into INIT_CWD.
    const result = await run(['demo'], { INIT_CWD: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    const file = /^done: (\S+) \(/m.exec(result.stdout)?.[1] as string
    expect(path.dirname(file)).toBe(path.join(dir, 'data', 'script-output'))
    expect((await stat(file)).size).toBeGreaterThan(0)
  })

  it('says what is wrong with an empty folder and exits 1', async () => {
    const empty = await mkdtemp(path.join(dir, 'empty-'))
    const result = await run([empty])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('no video files in')
  })
})
