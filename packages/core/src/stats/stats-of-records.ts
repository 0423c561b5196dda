import type { ErrorCode } from '../errors.js'
import { type MasterVideo, type MasterVideoStatus, STATUSES } from '../record/master-video.js'
import type { DurationPercentiles, RepositoryStats, StatsOptions } from './stats.js'

const HOUR_SEC = 3600

/**
 * The continuous percentile `p` (0..1) of ascending `sorted` values, as
 * PostgreSQL's `percentile_cont`: linear interpolation at `(n - 1) * p`.
 */
export function percentileCont(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null
  const position = (sorted.length - 1) * p
  const below = Math.floor(position)
  const low = sorted[below] as number
  const high = sorted[Math.min(below + 1, sorted.length - 1)] as number
  return low + (high - low) * (position - below)
}

/** p50 and p95 of some durations in ms, rounded to whole ms (every repository rounds the same way). */
export function durationPercentiles(durationsMs: readonly number[]): DurationPercentiles {
  const sorted = [...durationsMs].sort((a, b) => a - b)
  const round = (value: number | null) => (value === null ? null : Math.round(value))
  return {
    count: sorted.length,
    p50Ms: round(percentileCont(sorted, 0.5)),
    p95Ms: round(percentileCont(sorted, 0.95)),
  }
}

/** Every status at 0, to add counts to. */
export function zeroByStatus(): Record<MasterVideoStatus, number> {
  return Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<MasterVideoStatus, number>
}

/**
 * {@link RepositoryStats} computed in JavaScript from every record: what the
 * memory repository answers, and the reference the SQL repositories' queries
 * are checked against by the conformance suite.
 */
export function statsOfRecords(records: Iterable<MasterVideo>, options: StatsOptions = {}): RepositoryStats {
  const byStatus = zeroByStatus()
  const failuresByCode: Partial<Record<ErrorCode, number>> = {}
  const waits: number[] = []
  const processing: number[] = []
  let total = 0
  let masterSec = 0
  let renditionSec = 0
  for (const r of records) {
    if (options.projectId !== undefined && r.projectId !== options.projectId) continue
    if (options.since !== undefined && r.createdAt < options.since) continue
    total++
    byStatus[r.status]++
    if (r.status === 'failed' && r.error) {
      failuresByCode[r.error.code] = (failuresByCode[r.error.code] ?? 0) + 1
    }
    if (r.status !== 'completed' || !r.startedAt || !r.completedAt) continue
    const due = Math.max(r.runAt.getTime(), r.createdAt.getTime())
    waits.push(Math.max(0, r.startedAt.getTime() - due))
    processing.push(r.completedAt.getTime() - r.startedAt.getTime())
    const duration = r.output?.durationSec ?? 0
    masterSec += duration
    renditionSec += duration * r.renditions.length
  }
  return {
    projectId: options.projectId ?? null,
    since: options.since ?? null,
    total,
    byStatus,
    queueWait: durationPercentiles(waits),
    processing: durationPercentiles(processing),
    failuresByCode,
    mediaHours: { master: masterSec / HOUR_SEC, renditions: renditionSec / HOUR_SEC },
  }
}
