import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ErrorCode } from '../errors.js'
import type { RenditionOutput } from '../record/master-video.js'
import type { Repository } from '../repository/repository.js'
import type { RepositoryStats } from '../stats/stats.js'
import {
  newJob,
  type RepositoryConformanceOptions,
  sampleOutput,
  suiteTitle,
  useRepository,
} from './repository-suite.js'

// Every time of the scenario is T0 plus some seconds: in the past, so a
// database clock finds every job due that should be, and never near "now".
const T0 = Date.UTC(2025, 5, 1)
const at = (sec: number) => new Date(T0 + sec * 1000)
// Never due: jobs that must stay where they are while later ones are claimed.
const FAR = new Date(Date.UTC(2100, 0, 1))
const HOUR = 3600

/** One job of the scenario: when it is created, due, started and ended, and how it ends. */
interface PlannedJob {
  project: string
  created: number
  /** Seconds, or `FAR` (never due). */
  runAt: number | 'far'
  started?: number
  end?: number
  outcome: 'complete' | 'fail' | 'retry' | 'cancel' | 'hold' | 'none'
  code?: ErrorCode
  durationSec?: number
  renditions?: number
}

// Project A: five completed jobs whose queue waits are 0, 1, 10, 3, 2 s and
// processing times 5, 1, 4, 2, 3 s; three failures; one job waiting for a
// retry (not a failure); one canceled, one running, one queued.
// Project B: one completed job (wait 20 s, processing 100 s).
const PLAN: PlannedJob[] = [
  // Due 30 s before it was created: the wait counts from creation (0 s).
  {
    project: 'a',
    created: 0,
    runAt: -30,
    started: 0,
    end: 5,
    outcome: 'complete',
    durationSec: 2,
    renditions: 2,
  },
  // Scheduled 50 s after creation: the wait counts from when it was due (1 s).
  {
    project: 'a',
    created: 100,
    runAt: 150,
    started: 151,
    end: 152,
    outcome: 'complete',
    durationSec: 2,
    renditions: 1,
  },
  { project: 'a', created: 200, runAt: 200, started: 210, end: 214, outcome: 'complete', durationSec: 2 },
  { project: 'a', created: 300, runAt: 300, started: 303, end: 305, outcome: 'complete', durationSec: 2 },
  { project: 'a', created: 400, runAt: 400, started: 402, end: 405, outcome: 'complete', durationSec: 2 },
  { project: 'a', created: 500, runAt: 500, started: 501, end: 502, outcome: 'fail', code: 'TIMEOUT' },
  { project: 'a', created: 600, runAt: 600, started: 601, end: 602, outcome: 'fail', code: 'TIMEOUT' },
  { project: 'a', created: 700, runAt: 700, started: 701, end: 702, outcome: 'fail', code: 'INPUT_INVALID' },
  {
    project: 'a',
    created: 800,
    runAt: 800,
    started: 801,
    end: 802,
    outcome: 'retry',
    code: 'TRANSCODE_FAILED',
  },
  { project: 'a', created: 900, runAt: 'far', end: 901, outcome: 'cancel' },
  { project: 'a', created: 1000, runAt: 1000, started: 1001, outcome: 'hold' },
  { project: 'a', created: 1100, runAt: 'far', outcome: 'none' },
  {
    project: 'b',
    created: 1200,
    runAt: 1200,
    started: 1220,
    end: 1320,
    outcome: 'complete',
    durationSec: 7,
    renditions: 3,
  },
]

const rendition = (i: number): RenditionOutput => ({
  name: `r${i}`,
  key: `r${i}.mp4`,
  size: 1,
  width: 160,
  height: 120,
  bitrate: 1000,
})

/**
 * Plays {@link PLAN} against the repository with JavaScript's clock set to
 * each planned time; then, when the adapter takes times from its own clock,
 * writes the planned times through the `stamp` backdoor.
 */
async function playPlan(repository: Repository, options: RepositoryConformanceOptions): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] })
  const clock = (sec: number) => vi.setSystemTime(at(sec))
  const ids: string[] = []
  for (const job of PLAN) {
    clock(job.created)
    const runAt = job.runAt === 'far' ? FAR : at(job.runAt)
    const { record } = await repository.create(newJob({ projectId: job.project, runAt }))
    ids.push(record.id)
    let lease = null
    if (job.started !== undefined) {
      clock(job.started)
      const claimed = await repository.claim({
        workerId: 'w',
        leaseToken: `t-${record.id}`,
        leaseMs: 600_000,
      })
      expect(claimed?.record.id, 'the planned job is the one due').toBe(record.id)
      lease = claimed?.lease ?? null
    }
    if (job.end !== undefined) clock(job.end)
    if (job.outcome === 'complete' && lease) {
      const renditions = Array.from({ length: job.renditions ?? 0 }, (_, i) => rendition(i))
      const output = { ...sampleOutput, durationSec: job.durationSec ?? 0 }
      await repository.complete(lease, { output, thumbnailKey: null, renditions })
    } else if ((job.outcome === 'fail' || job.outcome === 'retry') && lease) {
      const error = { code: job.code ?? 'INTERNAL', message: 'planned failure' }
      await repository.fail(lease, error, job.outcome === 'retry' ? { retryAt: FAR } : undefined)
    } else if (job.outcome === 'cancel') {
      await repository.cancel(record.id)
    }
  }
  vi.useRealTimers()
  if (!options.stamp) return
  for (const [i, job] of PLAN.entries()) {
    await options.stamp(repository, ids[i] as string, {
      createdAt: at(job.created),
      startedAt: job.started === undefined ? null : at(job.started),
      completedAt: job.outcome === 'complete' && job.end !== undefined ? at(job.end) : null,
    })
  }
}

/** The repository's `stats`, failing the test's setup when it has none. */
function statsOf(repository: Repository): NonNullable<Repository['stats']> {
  const stats = repository.stats
  if (!stats) throw new Error('the repository has no stats method')
  return stats.bind(repository)
}

function expectMedia(stats: RepositoryStats, masterSec: number, renditionSec: number): void {
  expect(stats.mediaHours.master).toBeCloseTo(masterSec / HOUR, 9)
  expect(stats.mediaHours.renditions).toBeCloseTo(renditionSec / HOUR, 9)
}

/**
 * Registers the tests of the optional `stats`: counts by status (every
 * status present), continuous p50/p95 of queue wait (from due, never from
 * before creation, never counting a scheduled start) and processing time,
 * rounded to the millisecond, failures by code (failed jobs only), media
 * hours of masters and renditions, and the `projectId` and `since` filters.
 * Times are exact: JavaScript's clock is set before each call, and a
 * repository on a database clock writes them through `stamp`. A repository
 * without `stats` skips these tests.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryStatsConformance } from '@mastervideo/core/testing'
 *
 * repositoryStatsConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryStatsConformance(options: RepositoryConformanceOptions): void {
  describe(suiteTitle('stats', options), () => {
    const t = useRepository(options)
    afterEach(() => {
      vi.useRealTimers()
    })

    it('counts an empty repository: every status at 0, no percentiles, no failures', async (ctx) => {
      if (!t.repository.stats) return ctx.skip()
      const stats = await statsOf(t.repository)()
      expect(stats).toEqual({
        projectId: null,
        since: null,
        total: 0,
        byStatus: { created: 0, processing: 0, completed: 0, failed: 0, canceled: 0 },
        queueWait: { count: 0, p50Ms: null, p95Ms: null },
        processing: { count: 0, p50Ms: null, p95Ms: null },
        failuresByCode: {},
        mediaHours: { master: 0, renditions: 0 },
      })
    })

    it('measures one project: statuses, p50/p95 of wait and processing, failures, media hours', {
      timeout: 30_000,
    }, async (ctx) => {
      if (!t.repository.stats) return ctx.skip()
      await playPlan(t.repository, options)
      const stats = await statsOf(t.repository)({ projectId: 'a' })
      expect(stats.projectId).toBe('a')
      expect(stats.since).toBeNull()
      expect(stats.total).toBe(12)
      expect(stats.byStatus).toEqual({ created: 2, processing: 1, completed: 5, failed: 3, canceled: 1 })
      // Waits 0, 1, 2, 3, 10 s: p50 the middle one; p95 at rank 3.8, 3 + 0.8 * 7 s.
      expect(stats.queueWait).toEqual({ count: 5, p50Ms: 2000, p95Ms: 8600 })
      // Processing 1..5 s: p95 at rank 3.8, 4 + 0.8 * 1 s.
      expect(stats.processing).toEqual({ count: 5, p50Ms: 3000, p95Ms: 4800 })
      // The job waiting for its retry has an error but has not failed.
      expect(stats.failuresByCode).toEqual({ TIMEOUT: 2, INPUT_INVALID: 1 })
      // Five masters of 2 s; renditions: 2 of one, 1 of another.
      expectMedia(stats, 10, 6)
      expect(await statsOf(t.repository)({ projectId: 'nobody' })).toMatchObject({
        projectId: 'nobody',
        total: 0,
        queueWait: { count: 0, p50Ms: null, p95Ms: null },
      })
    })

    it('measures every project when no projectId is given', { timeout: 30_000 }, async (ctx) => {
      if (!t.repository.stats) return ctx.skip()
      await playPlan(t.repository, options)
      const stats = await statsOf(t.repository)()
      expect(stats.projectId).toBeNull()
      expect(stats.total).toBe(13)
      expect(stats.byStatus).toEqual({ created: 2, processing: 1, completed: 6, failed: 3, canceled: 1 })
      // Waits 0, 1, 2, 3, 10, 20 s: p50 at rank 2.5; p95 at rank 4.75, 10 + 0.75 * 10 s.
      expect(stats.queueWait).toEqual({ count: 6, p50Ms: 2500, p95Ms: 17_500 })
      // Processing 1, 2, 3, 4, 5, 100 s: p95 at rank 4.75, 5 + 0.75 * 95 s.
      expect(stats.processing).toEqual({ count: 6, p50Ms: 3500, p95Ms: 76_250 })
      expectMedia(stats, 17, 6 + 21)
    })

    it('counts only jobs created at or after since', { timeout: 30_000 }, async (ctx) => {
      if (!t.repository.stats) return ctx.skip()
      await playPlan(t.repository, options)
      const since = at(300)
      const stats = await statsOf(t.repository)({ projectId: 'a', since })
      expect(stats.since?.getTime()).toBe(since.getTime())
      expect(stats.total).toBe(9)
      expect(stats.byStatus).toEqual({ created: 2, processing: 1, completed: 2, failed: 3, canceled: 1 })
      // Waits 3 and 2 s, processing 2 and 3 s: p95 at rank 0.95.
      expect(stats.queueWait).toEqual({ count: 2, p50Ms: 2500, p95Ms: 2950 })
      expect(stats.processing).toEqual({ count: 2, p50Ms: 2500, p95Ms: 2950 })
      expectMedia(stats, 4, 0)
      const later = await statsOf(t.repository)({ since: at(100_000) })
      expect(later.total).toBe(0)
    })
  })
}
