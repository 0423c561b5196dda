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
  /** The shortest time between two progress writes. */
  progressIntervalMs: number
  logger: Logger
  /** Called after each progress value the repository accepted. */
  onProgress: (event: ProgressEvent) => void
  /** Called when the job must stop: canceled elsewhere, or the lease is gone. */
  onLost: (kind: 'cancel' | 'lease', reason: MasterVideoError) => void
}

/** A running heartbeat: report progress to it, stop it before the final write. */
export interface LeaseHeartbeat {
  progress(fraction: number): void
  /** Stops the timer and waits for a write in flight. */
  stop(): Promise<void>
}

/**
 * Keeps a claimed job's lease alive: renews it every `heartbeatMs`, and
 * writes progress at most every `progressIntervalMs` (each progress write
 * renews the lease too). One write at a time. When the repository answers
 * that the job was canceled or the lease lost, or when renewals have failed
 * for a whole lease period, it calls `onLost`: past the lease this worker can
 * no longer be sure it holds the job, so it stops before someone else starts.
 */
export function startLeaseHeartbeat(options: LeaseHeartbeatOptions): LeaseHeartbeat {
  const { repository, record, lease, leaseMs, logger } = options
  let latest = 0
  let written = 0
  let lastWriteAt = 0
  let lastRenewedAt = Date.now()
  let inFlight: Promise<void> | null = null
  let stopped = false

  const beat = (): Promise<void> => {
    if (stopped) return Promise.resolve()
    if (inFlight) return inFlight
    const progress = latest
    inFlight = (async () => {
      try {
        const result = await repository.heartbeat(lease, { leaseMs, progress })
        lastRenewedAt = Date.now()
        lastWriteAt = lastRenewedAt
        if (!result.ok) {
          if (result.reason === 'canceled') {
            options.onLost('cancel', new CanceledError(`Master video ${record.id} was canceled`))
          } else {
            options.onLost('lease', new LeaseLostError(`The lease on ${record.id} was lost`))
          }
          return
        }
        if (progress > written) {
          written = progress
          options.onProgress({ id: record.id, projectId: record.projectId, progress })
        }
      } catch (error) {
        logger.warn({ err: error, id: record.id }, 'mastervideo heartbeat failed')
        if (Date.now() - lastRenewedAt >= leaseMs) {
          options.onLost('lease', new LeaseLostError(`Could not renew the lease on ${record.id}`))
        }
      } finally {
        inFlight = null
      }
    })()
    return inFlight
  }

  const timer = setInterval(() => void beat(), options.heartbeatMs)
  return {
    progress(fraction) {
      if (!(fraction > latest)) return
      latest = Math.min(1, fraction)
      if (Date.now() - lastWriteAt >= options.progressIntervalMs) void beat()
    },
    async stop() {
      stopped = true
      clearInterval(timer)
      if (inFlight) await inFlight
    },
  }
}
