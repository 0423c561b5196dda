import type { ErrorCode } from '../errors.js'
import type { OutboxCounts } from '../outbox/outbox.js'
import type { MasterVideoStatus } from '../record/master-video.js'

/**
 * Which jobs {@link Repository.stats} counts: one project's or every
 * project's, and only those created at or after `since`.
 *
 * @example
 * ```ts
 * import type { StatsOptions } from '@mastervideo/core'
 *
 * const lastDay: StatsOptions = { projectId: 'p1', since: new Date(Date.now() - 86_400_000) }
 * ```
 */
export interface StatsOptions {
  /** Only this project's jobs. Absent: every project. */
  projectId?: string
  /** Only jobs whose `createdAt` is at or after this moment. Absent: every job. */
  since?: Date
}

/**
 * The median and 95th percentile of one duration, in whole milliseconds.
 * Percentiles are continuous (PostgreSQL's `percentile_cont`): the value at
 * position `(count - 1) * p` of the sorted durations, interpolated linearly
 * between its two neighbours, then rounded to the millisecond.
 *
 * @example
 * ```ts
 * import type { DurationPercentiles } from '@mastervideo/core'
 *
 * const none: DurationPercentiles = { count: 0, p50Ms: null, p95Ms: null }
 * ```
 */
export interface DurationPercentiles {
  /** How many durations were measured. */
  count: number
  /** The median; `null` when `count` is 0. */
  p50Ms: number | null
  /** The 95th percentile; `null` when `count` is 0. */
  p95Ms: number | null
}

/**
 * Hours of video the completed jobs produced.
 *
 * @example
 * ```ts
 * import type { MediaHours } from '@mastervideo/core'
 *
 * const made: MediaHours = { master: 1.5, renditions: 3 }
 * ```
 */
export interface MediaHours {
  /** The sum of `output.durationSec` of completed jobs, in hours. */
  master: number
  /**
   * The renditions made from those masters, in hours: each entry of a
   * completed job's `renditions` counts the master's duration once more.
   */
  renditions: number
}

/**
 * What {@link Repository.stats} answers: the jobs of a project (or of every
 * project) created since a moment, counted and measured.
 *
 * - `queueWait` is, for each completed job, how long its last attempt waited
 *   for a worker once the job was due: `startedAt - max(runAt, createdAt)`,
 *   never below 0. Retry backoff and a start scheduled in the future are not
 *   waiting (the job was not due), so this measures worker capacity alone.
 * - `processing` is, for each completed job, `completedAt - startedAt`: the
 *   attempt that made the video.
 * - `failuresByCode` counts jobs in status `failed` by `error.code` (jobs
 *   waiting for a retry are not failures yet); codes with no failures are absent.
 *
 * @example
 * ```ts
 * import type { RepositoryStats } from '@mastervideo/core'
 *
 * declare const stats: RepositoryStats
 * console.log(stats.byStatus.completed, stats.processing.p95Ms, stats.failuresByCode.TIMEOUT ?? 0)
 * ```
 */
export interface RepositoryStats {
  /** The project counted, or `null` for every project. */
  projectId: string | null
  /** The `since` asked for, or `null`. */
  since: Date | null
  /** Jobs counted, in every status. */
  total: number
  /** Jobs per status; every status is present, 0 when none. */
  byStatus: Record<MasterVideoStatus, number>
  /** Time from due to started, over completed jobs. */
  queueWait: DurationPercentiles
  /** Time from started to completed, over completed jobs. */
  processing: DurationPercentiles
  /** Failed jobs per error code. */
  failuresByCode: Partial<Record<ErrorCode, number>>
  /** Video produced by completed jobs. */
  mediaHours: MediaHours
}

/**
 * What `mv.stats()` answers: the repository's {@link RepositoryStats} and
 * the webhook outbox's counts.
 *
 * @example
 * ```ts
 * const stats = await mv.stats({ projectId: 'p1' })
 * console.log(stats.total, stats.deliveries?.dead ?? 'no outbox')
 * ```
 */
export interface MasterVideoStats extends RepositoryStats {
  /** Webhook deliveries of the project (any `since`) by state; `null` when the repository keeps no outbox. */
  deliveries: OutboxCounts | null
}
