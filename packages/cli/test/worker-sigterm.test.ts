// A graceful restart, as PM2 or systemd does it: SIGTERM to a `mastervideo
// worker` process in the middle of a job. The job either finishes within the
// grace period or goes back to `created`; it is never stuck in `processing`.
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { resolveBinaries } from '@mastervideo/adapter-ffmpeg'
import { sqliteRepository } from '@mastervideo/adapter-sqlite'
import { createMasterVideos, localOutputStore, type MasterVideo } from '@mastervideo/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dataPaths, projectAssets } from '../src/config.js'
import { ensureDemoProject } from '../src/server/demo-project.js'
import { runCli } from './run-cli.js'
import { until } from './until.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sigterm-'))
  await ensureDemoProject(dataPaths(dir).assets, (await resolveBinaries({})).ffmpeg)
}, 120_000)
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('mastervideo worker on SIGTERM', () => {
  it('releases a job it cannot finish within the grace period, and the next worker completes it', {
    timeout: 240_000,
  }, async () => {
    const paths = dataPaths(dir)
    const repository = sqliteRepository({ filename: paths.database })
    const mv = createMasterVideos({
      repository,
      transcoder: { probe: undefined, concat: undefined, thumbnail: undefined } as never,
      assets: projectAssets(paths.assets),
      output: localOutputStore(paths.output),
    })
    // A re-encode of every clip at a slow preset: long enough to be interrupted.
    const job = await mv.create({
      projectId: 'demo',
      name: 'restart me',
      shots: [
        '01-bars.mp4',
        '02-gradient.mp4',
        '03-mandelbrot.mp4',
        '04-square-silent.mp4',
        '05-portrait.mp4',
      ],
      encoding: { strategy: 'reencode', preset: 'slower' },
    })
    const get = () => repository.get(job.id) as Promise<MasterVideo>

    const first = runCli(['worker', '--data', dir, '--grace', '200', '--poll-interval', '100'])
    await until(get, (r) => r.status === 'processing' && r.progress > 0, 'the first worker to make progress')
    first.kill('SIGTERM')
    const stopped = await first
    expect(stopped.exitCode, `${stopped.signal} ${stopped.stderr}`).toBe(0)
    expect(stopped.stderr).toContain('mastervideo job released on shutdown')
    const released = await get()
    expect(released).toMatchObject({ status: 'created', attempts: 0, leaseOwner: null })
    // Nothing at all: no committed file, no `.tmp-*` of the store, no `..tmp-*.partial` of ffmpeg.
    expect(await readdir(paths.output).catch(() => [])).toEqual([])

    // The next worker gets SIGTERM mid-job too, but with a grace period long enough to finish it.
    const second = runCli(['worker', '--data', dir, '--grace', '120000', '--poll-interval', '100'])
    await until(get, (r) => r.status === 'processing' && r.progress > 0, 'the second worker to make progress')
    second.kill('SIGTERM')
    expect((await second).exitCode).toBe(0)
    const done = await get()
    expect(done).toMatchObject({ status: 'completed', attempts: 1 })
    expect(await readdir(paths.output)).toContain(done.output?.key)
    await mv.close()
  })
})
