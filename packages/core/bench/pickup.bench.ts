// Pickup latency: from `create()` returning to the worker's `processing`
// event. Side by side: the in-process wake-up (a job created through the same
// service) and a job that only the interval poller finds (created by another
// service on the same repository, as another process would), with the
// original system's 10 s poll scaled down to 100 ms so the run stays short.

import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import {
  createMasterVideos,
  intervalPoller,
  localOutputStore,
  type MasterVideos,
  memoryRepository,
} from '@mastervideo/core'
import { testTranscoder, writeTestClip } from '@mastervideo/core/testing'
import { type BenchRow, percentile } from '../../../bench/harness.js'

async function measure(creator: MasterVideos, runner: MasterVideos, jobs: number): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < jobs; i++) {
    const started = new Promise<number>((resolve) =>
      runner.once('processing', () => resolve(performance.now())),
    )
    const t0 = performance.now()
    const job = await creator.create({ projectId: 'bench', name: `j${i}`, shots: ['clip.bin'] })
    latencies.push((await started) - t0)
    await runner.waitFor(job.id, { pollMs: 5 })
    // Let the worker go idle, and land the next create at a random point of the poll cycle.
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 100))
  }
  return latencies
}

export default async function pickup(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mv-bench-'))
  await writeTestClip(path.join(dir, 'clip.bin'))
  const repository = memoryRepository()
  const make = () =>
    createMasterVideos({
      repository,
      transcoder: testTranscoder({ durationMs: 1, steps: 1 }),
      assets: () => path.join(dir, 'clip.bin'),
      output: localOutputStore(path.join(dir, 'out')),
    })
  const service = make()
  const other = make()
  service.worker({ poller: intervalPoller(100) }).start()
  const local = await measure(service, service, 200)
  const polled = await measure(other, service, 50)
  await service.close()
  await rm(dir, { recursive: true, force: true })
  return [
    {
      name: 'pickup p50, in-process wake-up',
      value: percentile(local, 50),
      unit: 'ms',
      reference: { name: '100 ms poll only', value: percentile(polled, 50) },
    },
    {
      name: 'pickup p99, in-process wake-up',
      value: percentile(local, 99),
      unit: 'ms',
      reference: { name: '100 ms poll only', value: percentile(polled, 99) },
      goal: 'milliseconds, not seconds',
    },
  ]
}
