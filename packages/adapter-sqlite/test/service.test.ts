// The adapter inside core's service: a job created through one connection
// (as by a web process) is run by a worker on another connection (as a
// separate worker process), woken by sqlitePoller.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMasterVideos, localOutputStore } from '@mastervideo/core'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { sqlitePoller, sqliteRepository } from '../src/index.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mv-sqlite-service-'))
  await writeTestClip(path.join(dir, 'clip.bin'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

it('a worker on another connection runs a job to completed, woken by sqlitePoller', async () => {
  const file = path.join(dir, 'service.sqlite')
  const make = () => {
    const repository = sqliteRepository({ filename: file })
    const service = createMasterVideos({
      repository,
      transcoder: testTranscoder({ durationMs: 5, steps: 2 }),
      assets: () => path.join(dir, 'clip.bin'),
      output: localOutputStore(path.join(dir, 'out')),
    })
    return { repository, service }
  }
  const web = make()
  const worker = make()
  // A full wake only every 10 minutes: the job can only be found through data_version.
  worker.service
    .worker({
      poller: sqlitePoller({ database: worker.repository.database, intervalMs: 20, fullWakeEvery: 30_000 }),
    })
    .start()
  await new Promise((resolve) => setTimeout(resolve, 50)) // the worker's first look finds nothing
  const job = await web.service.create({ projectId: 'p1', name: 'from the web process', shots: ['clip.bin'] })
  const done = await web.service.waitFor(job.id, { pollMs: 10 })
  expect(done).toMatchObject({ status: 'completed', attempts: 1, progress: 1 })
  expect(done.leaseOwner).toBeNull()
  await worker.service.close()
  await web.service.close()
})
