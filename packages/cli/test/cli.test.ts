import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import {
  CONCAT_STRATEGIES,
  createMasterVideos,
  directoryAssets,
  localOutputStore,
  memoryRepository,
  silentLogger,
} from '@mastervideo/core'
import { testTranscoder } from '@mastervideo/core/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoProject } from '../src/server/demo-project.js'
import { standaloneApp } from '../src/server/standalone-app.js'
import { runCli } from './run-cli.js'

let dir: string
let clips: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-cli-'))
  await ensureDemoProject(path.join(dir, 'assets'), (await resolveBinaries({})).ffmpeg)
  clips = path.join(dir, 'assets', 'demo')
}, 120_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('mastervideo CLI', () => {
  it.each(['concat', 'serve', 'worker', 'doctor'])(
    '%s --help explains itself and exits 0',
    async (command) => {
      const result = await runCli([command, '--help'])
      expect(result.exitCode).toBe(0)
      expect(result.stdout).toContain(`Usage: mastervideo ${command}`)
    },
  )

  it('concat --help offers exactly core’s strategies', async () => {
    const result = await runCli(['concat', '--help'])
    const help = result.stdout.replace(/\s+/g, ' ') // commander wraps long lines
    expect(help).toContain(`(choices: ${CONCAT_STRATEGIES.map((s) => JSON.stringify(s)).join(', ')})`)
  })

  it('the dashboard gets its strategy list from the server, not from its own copy', async () => {
    const app = standaloneApp({
      mv: createMasterVideos({
        repository: memoryRepository(),
        transcoder: testTranscoder(),
        assets: directoryAssets(dir),
        output: localOutputStore(path.join(dir, 'output')),
      }),
      transcoder: testTranscoder(),
      assetsRoot: path.join(dir, 'assets'),
      cacheDir: path.join(dir, 'cache'),
      logger: silentLogger,
    })
    const config = await app.request('/api/dashboard')
    expect(await config.json()).toEqual({ strategies: [...CONCAT_STRATEGIES] })
    const page = await (await app.request('/')).text()
    const script = await (await app.request('/dashboard.js')).text()
    for (const text of [page, script]) expect(text).not.toMatch(/['"]reencode['"]/)
  })

  it('concat joins matching clips by stream copy and prints plain progress lines when not a TTY', async () => {
    const out = path.join(dir, 'out', 'copy.mp4')
    const inputs = ['01-bars.mp4', '02-gradient.mp4', '03-mandelbrot.mp4'].map((f) => path.join(clips, f))
    const result = await runCli(['concat', ...inputs, '-o', out])
    expect(result.stderr).toContain('joining 3 clips: 100%')
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/wrote .*copy\.mp4: copy, 640x360, 9\.\d+ s/)
    expect((await stat(out)).size).toBeGreaterThan(10_000)
  })

  it('concat re-encodes clips of different sizes to the requested size', async () => {
    const out = path.join(dir, 'out', 'mixed.mp4')
    const inputs = ['01-bars.mp4', '04-square-silent.mp4'].map((f) => path.join(clips, f))
    const result = await runCli([
      'concat',
      ...inputs,
      '-o',
      out,
      '--size',
      '320x240',
      '--preset',
      'ultrafast',
    ])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/wrote .*mixed\.mp4: reencode, 320x240/)
  })

  it('a missing clip is one clear line and exit code 1, and no output', async () => {
    const out = path.join(dir, 'out', 'never.mp4')
    const result = await runCli([
      'concat',
      path.join(clips, '01-bars.mp4'),
      path.join(clips, 'nope.mp4'),
      '-o',
      out,
    ])
    expect(result.exitCode).toBe(1)
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^mastervideo: .*\[ASSET_NOT_FOUND\]$/)
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('a text file named .mp4 is refused as INPUT_INVALID', async () => {
    const fake = path.join(dir, 'fake.mp4')
    await writeFile(fake, 'not a video')
    const result = await runCli(['concat', fake, '-o', path.join(dir, 'out', 'fake-out.mp4')])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('[INPUT_INVALID]')
  })

  it('bad options are refused before any work: unknown strategy, bad size, missing -o', async () => {
    const clip = path.join(clips, '01-bars.mp4')
    expect((await runCli(['concat', clip, '-o', 'x.mp4', '--strategy', 'magic'])).exitCode).not.toBe(0)
    const size = await runCli(['concat', clip, '-o', path.join(dir, 'x.mp4'), '--size', 'big'])
    expect(size.exitCode).toBe(1)
    expect(size.stderr).toContain('--size must look like 1280x720')
    expect((await runCli(['concat', clip])).exitCode).not.toBe(0)
  })

  it('doctor passes on a fresh data folder and prints versions', async () => {
    const result = await runCli(['doctor', '--data', path.join(dir, 'data')])
    expect(result.stdout).toContain('all checks passed')
    expect(result.stdout).toMatch(/ok\s+ffmpeg\s+ffmpeg version/)
    expect(result.stdout).toMatch(/ok\s+database/)
    expect(result.exitCode).toBe(0)
  })

  it('doctor fails with exit code 1 when the data folder cannot be created', async () => {
    const blocker = path.join(dir, 'a-file')
    await writeFile(blocker, 'x')
    const result = await runCli(['doctor', '--data', path.join(blocker, 'data')])
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/FAIL\s+database/)
    expect(result.stdout).toMatch(/FAIL\s+output folder/)
  })
})
