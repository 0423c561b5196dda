// --version, concat's refusal to overwrite, and the hint after a refused forced copy.
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureDemoProject } from '../src/server/demo-project.js'
import { runCli } from './run-cli.js'

let dir: string
let clips: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-cli-flags-'))
  await ensureDemoProject(path.join(dir, 'assets'), (await resolveBinaries({})).ffmpeg)
  clips = path.join(dir, 'assets', 'demo')
}, 120_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('mastervideo CLI flags', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8'))
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag])
      expect(result.exitCode).toBe(0)
      expect(result.stdout.trim()).toBe(version)
    }
  })

  it('concat refuses to overwrite -o without --force, and overwrites with it', async () => {
    const out = path.join(dir, 'existing.mp4')
    await writeFile(out, 'keep me')
    const clip = path.join(clips, '01-bars.mp4')
    const refused = await runCli(['concat', clip, '-o', out])
    expect(refused.exitCode).toBe(1)
    expect(refused.stderr).toContain('already exists; pass --force to overwrite it')
    expect(await readFile(out, 'utf8')).toBe('keep me')
    const forced = await runCli(['concat', clip, '-o', out, '--force'])
    expect(forced.exitCode).toBe(0)
    expect((await stat(out)).size).toBeGreaterThan(10_000)
  })

  it('a --strategy copy of clips that differ is refused with a hint to use auto', async () => {
    const out = path.join(dir, 'copy-mismatch.mp4')
    const inputs = ['01-bars.mp4', '04-square-silent.mp4'].map((f) => path.join(clips, f))
    const result = await runCli(['concat', ...inputs, '-o', out, '--strategy', 'copy'])
    expect(result.exitCode).toBe(1)
    const lines = result.stderr.trim().split('\n')
    expect(lines.at(-2)).toMatch(/^mastervideo: .*\[INPUT_INVALID\]$/)
    expect(lines.at(-1)).toBe(
      'hint: run it again with --strategy auto: it copies when the clips match and re-encodes when they differ',
    )
    expect(result.stderr).not.toContain(dir)
    await expect(stat(out)).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
