import type { MasterVideoError } from '../errors.js'
import type { JobError, MasterVideo } from '../record/master-video.js'
import { type BackoffOptions, backoffDelay } from '../support/backoff.js'

/** Why a running job was aborted; with the error it decides what the worker writes afterwards. */
export type AbortKind = 'cancel' | 'timeout' | 'lease' | 'shutdown'

/**
 * What the worker does after an attempt failed or was aborted:
 * - `retry`: back to `created`, claimable again at `at` (an attempt is used);
 * - `fail`: `failed`, for good;
 * - `release`: back to `created` at once, the attempt not counted (shutdown);
 * - `nothing`: write nothing, because the job is no longer this worker's to
 *   write (`canceled` already stored, or the lease is gone).
 */
export type Outcome =
  | { kind: 'retry'; error: JobError; at: Date; delayMs: number }
  | { kind: 'fail'; error: JobError }
  | { kind: 'release' }
  | { kind: 'nothing'; because: 'canceled' | 'lease-lost' }

/** What {@link decideOutcome} reads besides the error: the clock, the dice and the backoff. */
export interface DecideOutcomeOptions {
  backoff?: BackoffOptions | undefined
  /** Default `Date.now()`. */
  now?: number
  /** Default `Math.random`; the jitter of the backoff. */
  random?: () => number
  /**
   * The worker is shutting down. A retryable failure then releases the job
   * rather than spending an attempt: the stop signal may have reached the
   * transcoder too (systemd and PM2 signal a whole process group or cgroup),
   * and an interrupted attempt is not the job's fault.
   */
  stopping?: boolean
}

/**
 * The worker's failure policy as a pure function: given the error an attempt
 * ended with, the job as it was claimed, and why it was aborted (null when it
 * was not), says what to write. An abort decides first (cancel and a lost
 * lease write nothing, shutdown releases, a timeout is an ordinary retryable
 * error); then a `LEASE_LOST` error writes nothing; a retryable error while
 * the worker stops releases; then the error's `retryable` flag and the
 * attempts left choose between retry with backoff and fail.
 *
 * @example
 * ```ts
 * const outcome = decideOutcome(new TimeoutError('too slow'), { attempts: 1, maxAttempts: 3 }, 'timeout')
 * // { kind: 'retry', at: <now + backoff>, ... }
 * ```
 */
export function decideOutcome(
  error: MasterVideoError,
  record: Pick<MasterVideo, 'attempts' | 'maxAttempts'>,
  abortKind: AbortKind | null,
  options: DecideOutcomeOptions = {},
): Outcome {
  if (abortKind === 'cancel') return { kind: 'nothing', because: 'canceled' }
  if (abortKind === 'lease') return { kind: 'nothing', because: 'lease-lost' }
  if (abortKind === 'shutdown') return { kind: 'release' }
  if (error.code === 'LEASE_LOST') return { kind: 'nothing', because: 'lease-lost' }
  const stored: JobError = { code: error.code, message: error.message }
  if (error.retryable && options.stopping) return { kind: 'release' }
  if (error.retryable && record.attempts < record.maxAttempts) {
    const delayMs = backoffDelay(record.attempts, options.backoff, options.random)
    return { kind: 'retry', error: stored, at: new Date((options.now ?? Date.now()) + delayMs), delayMs }
  }
  return { kind: 'fail', error: stored }
}
