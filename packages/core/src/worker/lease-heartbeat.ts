import { performance } from 'node:perf_hooks'
import { CanceledError, LeaseLostError, type MasterVideoError } from '../errors.js'
import type { MasterVideo } from '../record/master-video.js'
import type { Lease, Repository } from '../repository/repository.js'
import type { ProgressEvent } from '../service/events.js'
import type { Logger } from '../support/logger.js'

/** What {@link startLeaseHeartbeat} needs. */
export interface LeaseHeartbeatOptions {
  repository: Repository
  record: MasterVideo
  lease: Lease
  leaseMs: number
  heartbeatMs: number
  /**
   * How long before the lease would lapse the job is given up when no renewal
   * has succeeded: time for the transcode to be stopped before another worker
   * may claim the job.
   */
  marginMs: number
  /**
   * When the claim that made this lease was sent (`performance.now()`): the
   * database set the lease no earlier, so it lapses no earlier than
   * `claimSentAt + leaseMs`. Default: now.
   */
  claimSentAt?: number
  /** The shortest time between two progress writes. */
  progressIntervalMs: number
  logger: Logger
  /** Called after each progress value the repository accepted. */
  onProgress: (event: ProgressEvent) => void
  /** Called when the job must stop: canceled elsewhere, or the lease is (or is about to be) gone. */
  onLost: (kind: 'cancel' | 'lease', reason: MasterVideoError) => void
}

/** A running heartbeat: report progress to it, stop it before the final write. */
export interface LeaseHeartbeat {
  progress(fraction: number): void
  /**
   * Stops the timers and waits for a write in flight, but no longer than
   * `heartbeatMs`: a write that hangs (a partitioned database) must not hold
   * the final write or a shutdown. A late answer is harmless, since every
   * write is a compare-and-set on the lease.
   */
  stop(): Promise<void>
}

/**
 * Keeps a claimed job's lease alive: renews it every `heartbeatMs`, and
 * writes progress at most every `progressIntervalMs` (each progress write
 * renews the lease too). One write at a time.
 *
 * It calls `onLost` when the repository answers that the job was canceled or
 * the lease lost, and, by its own clock, when no renewal has succeeded for
 * `leaseMs - marginMs` since the last successful one was sent: whether the
 * renewals failed or hang, the job is stopped before the lease can lapse and
 * another worker start it, so two attempts of one job never overlap. The
 * clock is monotonic (`performance.now()` and Node's timers), so a wall clock
 * set back or forward moves no deadline.
 */
export function startLeaseHeartbeat(options: LeaseHeartbeatOptions): LeaseHeartbeat {
  const { repository, record, lease, leaseMs, logger } = options
  const budgetMs = leaseMs - options.marginMs
  let latest = 0
  let written = 0
  let lastWriteAt = 0
  // When the last renewal that succeeded was sent: the lease runs from no earlier.
  let renewedFrom = options.claimSentAt ?? performance.now()
  let inFlight: Promise<void> | null = null
  let stopped = false
  let lost = false
  let deadline: NodeJS.Timeout | undefined

  const giveUp = (kind: 'cancel' | 'lease', reason: MasterVideoError) => {
    if (lost) return
    lost = true
    clearTimeout(deadline)
    options.onLost(kind, reason)
  }

  const armDeadline = () => {
    clearTimeout(deadline)
    if (stopped || lost) return
    const left = renewedFrom + budgetMs - performance.now()
    deadline = setTimeout(
      () => {
        // A timer may fire a little early or late; judge by the clock.
        if (performance.now() - renewedFrom >= budgetMs) {
          logger.warn(
            { id: record.id, sinceRenewalMs: Math.round(performance.now() - renewedFrom), leaseMs },
            'mastervideo lease could not be renewed; stopping the job before it lapses',
          )
          giveUp('lease', new LeaseLostError(`The lease on ${record.id} could not be renewed in time`))
        } else {
          armDeadline()
        }
      },
      Math.max(0, left),
    )
  }

  const beat = (): Promise<void> => {
    if (stopped || lost) return Promise.resolve()
    if (inFlight) return inFlight
    const progress = latest
    const sentAt = performance.now()
    inFlight = (async () => {
      try {
        const result = await repository.heartbeat(lease, { leaseMs, progress })
        lastWriteAt = performance.now()
        if (!result.ok) {
          if (result.reason === 'canceled') {
            giveUp('cancel', new CanceledError(`Master video ${record.id} was canceled`))
          } else {
            giveUp('lease', new LeaseLostError(`The lease on ${record.id} was lost`))
          }
          return
        }
        renewedFrom = Math.max(renewedFrom, sentAt)
        armDeadline()
        if (progress > written) {
          written = progress
          options.onProgress({ id: record.id, projectId: record.projectId, progress })
        }
      } catch (error) {
        // The deadline timer decides when failures have lasted too long.
        logger.warn({ err: error, id: record.id }, 'mastervideo heartbeat failed')
      } finally {
        inFlight = null
      }
    })()
    return inFlight
  }

  armDeadline()
  const timer = setInterval(() => void beat(), options.heartbeatMs)
  return {
    progress(fraction) {
      if (!(fraction > latest)) return
      latest = Math.min(1, fraction)
      if (performance.now() - lastWriteAt >= options.progressIntervalMs) void beat()
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      clearTimeout(deadline)
      if (!inFlight) return
      let wait: NodeJS.Timeout | undefined
      await Promise.race([
        inFlight,
        new Promise<void>((resolve) => {
          wait = setTimeout(resolve, options.heartbeatMs)
        }),
      ])
      clearTimeout(wait)
    },
  }
}
