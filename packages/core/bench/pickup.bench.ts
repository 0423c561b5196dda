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
import { latencyRows } from '../../../bench/support/latency-rows.js'
import { pickupLatencies } from '../../../bench/support/pickup-latency.js'

const measure = (creator: MasterVideos, runner: MasterVideos, jobs: number) =>
  pickupLatencies({
    runner,
    create: async (i) =>
      (await creator.create({ projectId: 'bench', name: `j${i}`, shots: ['clip.bin'] })).id,
    jobs,
    maxGapMs: 100,
  })

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
  return latencyRows({
    name: (p) => `pickup p${p}, in-process wake-up`,
    subject: (p) => at(local, p),
    reference: { name: '100 ms poll only', value: (p) => at(polled, p) },
    goal: atMost(20),
    why: 'the wake-up is one in-process event and a claim; a tail above 20 ms is the worker waiting for a core on a loaded machine, so a quiet run closes it',
    headline: 'both',
  })
}
