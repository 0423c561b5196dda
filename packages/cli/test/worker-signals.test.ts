// Ctrl-C and process-group stops: a terminal's Ctrl-C sends SIGINT to the
// whole foreground process group, and PM2 or a shell's job control signal a
// group too. ffmpeg runs in a group of its own, so the signal reaches only
// the worker, which releases its job within the grace period (no attempt
// spent, not TRANSCODE_FAILED) and stops ffmpeg itself.
import { readFileSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { createMasterVideos, localOutputStore, type MasterVideo } from '@mastervideo/core'
import { execa } from 'execa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataPaths, projectAssets } from '../src/config.js'
import { ensureDemoProject } from '../src/server/demo-project.js'
import { until } from './until.js'

const root = path.resolve(import.meta.dirname, '../../..')
const bin = path.resolve(import.meta.dirname, '../src/bin.ts')
const GRACE_MS = 2000

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-signals-'))
  await ensureDemoProject(dataPaths(dir).assets, (await resolveBinaries({})).ffmpeg)
}, 120_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Processes whose command line names `needle` (the worker, and ffmpeg, which names the data folder in its arguments). */
async function processesNaming(needle: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.includes(needle) && !cmdline.includes('worker-signals')) found.push(`${entry} ${cmdline}`)
  }
  return found
}

/** The process group of `pid`, from /proc. */
function groupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
}

describe.runIf(process.platform === 'linux').each([
  ['SIGTERM', 'the process'],
  ['SIGTERM', 'its process group'],
  ['SIGINT', 'its process group (Ctrl-C)'],
] as const)('mastervideo worker: %s to %s', (signal, target) => {
  it('releases the job within the grace period, spends no attempt, leaves no ffmpeg and no file', {
    timeout: 240_000,
  }, async () => {
    const data = path.join(dir, `${signal}-${target.split(' ')[0]}-${target.length}`)
    const paths = dataPaths(data)
    await ensureDemoProject(paths.assets, (await resolveBinaries({})).ffmpeg)
    const repository = sqliteRepository({ filename: paths.database })
    const mv = createMasterVideos({
      repository,
      transcoder: { probe: undefined, concat: undefined, thumbnail: undefined } as never,
      assets: projectAssets(paths.assets),
      output: localOutputStore(paths.output),
    })
    try {
      const job = await mv.create({
        projectId: 'demo',
        name: 'interrupt me',
        shots: ['01-bars.mp4', '02-gradient.mp4', '03-mandelbrot.mp4', '04-square-silent.mp4'],
        encoding: { strategy: 'reencode', preset: 'slower' },
      })
      const get = () => repository.get(job.id) as Promise<MasterVideo>
      // Its own group, as a terminal's job or a PM2 app has: the test can signal the group without signalling itself.
      const worker = execa(
        process.execPath,
        [
          '--conditions=@mastervideo/source',
          '--import',
          'tsx',
          bin,
          'worker',
          '--data',
          data,
          '--grace',
          String(GRACE_MS),
          '--poll-interval',
          '100',
        ],
        { cwd: root, reject: false, detached: true, forceKillAfterDelay: false, env: { FORCE_COLOR: '0' } },
      )
      await until(get, (r) => r.status === 'processing' && r.progress > 0, 'the worker to make progress')
      const ffmpegRuns = async () => (await processesNaming(data)).filter((p) => p.includes('ffmpeg'))
      const [ffmpeg] = await ffmpegRuns()
      expect(ffmpeg).toBeDefined()
      // Outside the worker's group: a signal to that group cannot reach it.
      expect(groupOf(Number(ffmpeg?.split(' ')[0]))).not.toBe(worker.pid)
      const sent = Date.now()
      if (target.startsWith('its process group')) process.kill(-(worker.pid as number), signal)
      else worker.kill(signal)
      // The signal did not reach ffmpeg: it runs on into the grace period, until the worker stops it.
      await new Promise((resolve) => setTimeout(resolve, GRACE_MS / 2))
      expect(await ffmpegRuns()).not.toEqual([])
      const stopped = await worker
      const took = Date.now() - sent
      expect(stopped.exitCode, `${stopped.signal} ${stopped.stderr}`).toBe(0)
      // The grace period, then at most ffmpeg's kill grace and the release.
      expect(took).toBeLessThan(GRACE_MS + 5000)
      expect(stopped.stderr).toContain('mastervideo job released on shutdown')
      expect(stopped.stderr).not.toContain('TRANSCODE_FAILED')
      expect(await get()).toMatchObject({ status: 'created', attempts: 0, leaseOwner: null, error: null })
      expect(await processesNaming(data)).toEqual([])
      expect(await readdir(paths.output).catch(() => [])).toEqual([])
    } finally {
      await mv.close()
    }
  })
})
