// Pickup latency: from `create()` returning to the worker's `processing`
// event. Side by side: the in-process wake-up (a job created through the same
// service) and a job that only the interval poller finds (created by another
// service on the same repository, as another process would), with the
// original system's 10 s poll scaled down to 100 ms so the run stays short.
// Interleaved rounds of 40 and 10 jobs; each row is the median (and spread)
// of the rounds' percentiles.

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
import {
  atMost,
  type BenchContext,
  type BenchRow,
  interleaved,
  measured,
  percentile,
} from '../../../bench/harness.js'

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

export default async function pickup(ctx: BenchContext): Promise<BenchRow[]> {
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
  const local: number[][] = []
  const polled: number[][] = []
  try {
    await interleaved(ctx.rounds, {
      local: async () => local.push(await measure(service, service, ctx.quick ? 5 : 40)),
      polled: async () => polled.push(await measure(other, service, ctx.quick ? 2 : 10)),
    })
  } finally {
    await service.close()
    await rm(dir, { recursive: true, force: true })
  }
  const at = (rounds: number[][], p: number) => measured(rounds.map((r) => percentile(r, p)))
  return [
    {
      name: 'pickup p50, in-process wake-up',
      unit: 'ms',
      subject: at(local, 50),
      reference: { name: '100 ms poll only', value: at(polled, 50) },
      better: 'lower',
      goal: 'report',
      headline: true,
    },
    {
      name: 'pickup p99, in-process wake-up',
      unit: 'ms',
      subject: at(local, 99),
      reference: { name: '100 ms poll only', value: at(polled, 99) },
      better: 'lower',
      goal: atMost(20),
      headline: true,
    },
  ]
}
