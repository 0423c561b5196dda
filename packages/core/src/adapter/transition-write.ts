import { IllegalTransitionError, LeaseLostError, NotFoundError } from '../errors.js'
import type { EncodingOptions, JobError, MasterVideo, MasterVideoStatus } from '../record/master-video.js'
import {
  applyTransition,
  canTransition,
  TRANSITIONS,
  type TransitionData,
  type TransitionEvent,
} from '../record/state-machine.js'
import type { Lease, Repository } from '../repository/repository.js'

/**
 * One status-changing call of a {@link Repository}, as a transition: the job,
 * the event, its data (a function of the write's `now`, which only the
 * repository knows: a database may use its own clock), and the lease that
 * fences it (`null` for `retry` and `cancel`, which go by id).
 */
export interface TransitionRequest<E extends TransitionEvent = TransitionEvent> {
  id: string
  event: E
  data: (now: Date) => TransitionData[E]
  lease: Lease | null
}

/**
 * The {@link TransitionRequest} of each status-changing method of
 * {@link Repository}, so every repository turns a call into the same event
 * and data: `fail` with `retryAt` is a `requeue` that keeps the attempt,
 * `release` a `requeue` at `now` that refunds it.
 *
 * @example
 * ```ts
 * import { transitionRequests } from '@mastervideo/core/adapter'
 *
 * const lease = { id: 'master_1_abcdefgh', token: 't', workerId: 'w1' }
 * const request = transitionRequests.fail(lease, { code: 'TIMEOUT', message: 'too slow' }, { retryAt: new Date() })
 * request.event // 'requeue'
 * ```
 */
export const transitionRequests = {
  complete(lease: Lease, result: TransitionData['complete']): TransitionRequest<'complete'> {
    const data = structuredClone(result)
    return { id: lease.id, lease, event: 'complete', data: () => data }
  },
  checkpoint(lease: Lease, result: TransitionData['checkpoint']): TransitionRequest<'checkpoint'> {
    const data = structuredClone(result)
    return { id: lease.id, lease, event: 'checkpoint', data: () => data }
  },
  fail(
    lease: Lease,
    error: JobError,
    options?: { retryAt?: Date },
  ): TransitionRequest<'requeue'> | TransitionRequest<'fail'> {
    const stored: JobError = { code: error.code, message: error.message }
    const retryAt = options?.retryAt
    return retryAt
      ? {
          id: lease.id,
          lease,
          event: 'requeue',
          data: () => ({ runAt: retryAt, error: stored, refundAttempt: false }),
        }
      : { id: lease.id, lease, event: 'fail', data: () => ({ error: stored }) }
  },
  release(lease: Lease): TransitionRequest<'requeue'> {
    return {
      id: lease.id,
      lease,
      event: 'requeue',
      data: (now) => ({ runAt: now, error: null, refundAttempt: true }),
    }
  },
  retry(id: string, options?: { encoding?: EncodingOptions }): TransitionRequest<'retry'> {
    const data = options?.encoding ? { encoding: structuredClone(options.encoding) } : {}
    return { id, lease: null, event: 'retry', data: () => data }
  },
  cancel(id: string): TransitionRequest<'cancel'> {
    return { id, lease: null, event: 'cancel', data: () => ({}) }
  },
}

/** The methods of {@link Repository} that change a status by a transition. */
export type TransitionMethods = Pick<
  Repository,
  'complete' | 'checkpoint' | 'fail' | 'release' | 'retry' | 'cancel'
>

/**
 * Every status-changing method of {@link Repository}, built on one function
 * that runs a {@link TransitionRequest} (read the job, {@link transitionWrite},
 * compare-and-set, return the stored record). A repository spreads them into
 * what it returns.
 *
 * @example
 * ```ts
 * import type { MasterVideo, Repository } from '@mastervideo/core'
 * import { transitionMethods, type TransitionRequest } from '@mastervideo/core/adapter'
 *
 * declare function runTransition(request: TransitionRequest): Promise<MasterVideo>
 * declare const rest: Omit<Repository, 'complete' | 'checkpoint' | 'fail' | 'release' | 'retry' | 'cancel'>
 * const repository: Repository = { ...rest, ...transitionMethods(runTransition) }
 * ```
 */
export function transitionMethods(
  run: <E extends TransitionEvent>(request: TransitionRequest<E>) => Promise<MasterVideo>,
): TransitionMethods {
  return {
    complete: (lease, result) => run(transitionRequests.complete(lease, result)),
    checkpoint: (lease, result) => run(transitionRequests.checkpoint(lease, result)),
    fail: (lease, error, options) => run(transitionRequests.fail(lease, error, options)),
    release: (lease) => run(transitionRequests.release(lease)),
    retry: (id, options) => run(transitionRequests.retry(id, options)),
    cancel: (id) => run(transitionRequests.cancel(id)),
  }
}

/**
 * What a transition writes: the record `applyTransition` computed (its
 * {@link TRANSITION_COLUMNS} are the SET of the `UPDATE`), and what the
 * compare-and-set expects to find (the WHERE: the row as it was read).
 */
export interface TransitionWrite {
  record: MasterVideo
  expected: { id: string; status: MasterVideoStatus; leaseToken: string | null }
}

/**
 * Plans the compare-and-set of `request` against `current`, the row as just
 * read (`null` when there is none), at `now`. A repository runs the `UPDATE`
 * it describes; when that matches no row (someone wrote in between), it reads
 * the row again and calls this again, which either plans a new write or
 * throws the reason.
 *
 * @throws `NOT_FOUND` when a by-id request finds no job; `LEASE_LOST` when a
 * lease-fenced request finds the job gone, no longer `processing`, or under
 * another token; `ILLEGAL_TRANSITION` when the status does not allow the event.
 * Errors carry `origin` (the repository's package name) when given.
 * @example
 * ```ts
 * import { initialRecord, transitionRequests, transitionWrite } from '@mastervideo/core/adapter'
 *
 * const now = new Date()
 * const current = initialRecord(
 *   { id: 'master_1_abcdefgh', projectId: 'p1', name: '003', shots: [{ assetId: 'a.mp4' }], maxAttempts: 3, encoding: {}, idempotencyKey: null },
 *   now,
 * )
 * const { record, expected } = transitionWrite(transitionRequests.cancel(current.id), current, now, '@acme/repository')
 * // UPDATE jobs SET status = 'canceled', ... WHERE id = expected.id AND status = 'created' AND lease_token IS NULL
 * ```
 */
export function transitionWrite<E extends TransitionEvent>(
  request: TransitionRequest<E>,
  current: MasterVideo | null,
  now: Date,
  origin?: string,
): TransitionWrite {
  const { id, event, lease } = request
  if (lease) {
    if (!current || current.status !== 'processing' || current.leaseToken !== lease.token) {
      throw new LeaseLostError(`The lease on ${id} is lost`, {
        details: { id, event, status: current?.status ?? null },
        origin,
      })
    }
  } else if (!current) {
    throw new NotFoundError(`No master video ${id}`, { details: { id }, origin })
  }
  if (!canTransition(current.status, event)) {
    throw new IllegalTransitionError(
      `Cannot ${event} a ${current.status} job (${id}); allowed from: ${TRANSITIONS[event].from.join(', ')}`,
      { details: { id, from: current.status, event }, origin },
    )
  }
  return {
    record: applyTransition(current, event, request.data(now), now),
    expected: { id: current.id, status: current.status, leaseToken: current.leaseToken },
  }
}

/**
 * Whether `current`, the row as read now, already holds what `request` wrote:
 * the answer after a write whose reply never arrived (the connection broke,
 * a timeout fired), so the repository returns the stored record instead of
 * guessing "did not commit" and refusing its own write as `LEASE_LOST`.
 *
 * - `complete`: the job is `completed` and names this request's keys (the
 *   output's, and the HLS master playlist's or first rendition's when it
 *   made a ladder). Those keys are unique to one attempt, so that write is
 *   this one, whoever sent it last.
 * - `checkpoint`: the job is still `processing` under this request's lease
 *   and its output names this request's key.
 * - any other lease-fenced write: the row carries exactly the `planned`
 *   record of the lost write (status, `updatedAt` to the millisecond of the
 *   database time it was planned at, attempts, error code and lease token).
 *   Without a plan there is nothing to recognise, and the answer is `false`.
 *
 * @example
 * ```ts
 * import { transitionLanded, transitionRequests } from '@mastervideo/core/adapter'
 * import type { MasterVideo, MasterVideoOutput } from '@mastervideo/core'
 *
 * declare const output: MasterVideoOutput
 * declare const current: MasterVideo | null // read again after the reply was lost
 * const request = transitionRequests.complete({ id: 'master_1_abcdefgh', token: 't', workerId: 'w1' }, { output, thumbnailKey: null })
 * if (current && transitionLanded(request, current)) console.log('our complete committed')
 * ```
 */
export function transitionLanded(
  request: TransitionRequest,
  current: MasterVideo | null,
  planned?: MasterVideo | null,
): current is MasterVideo {
  if (!current || !request.lease) return false
  if (request.event === 'complete') {
    return completionLanded((request as TransitionRequest<'complete'>).data(current.updatedAt), current)
  }
  if (request.event === 'checkpoint') {
    const { output } = (request as TransitionRequest<'checkpoint'>).data(current.updatedAt)
    return (
      current.status === 'processing' &&
      current.leaseToken === request.lease.token &&
      current.output?.key === output.key
    )
  }
  if (!planned) return false
  return (
    current.status === planned.status &&
    current.updatedAt.getTime() === planned.updatedAt.getTime() &&
    current.attempts === planned.attempts &&
    (current.error?.code ?? null) === (planned.error?.code ?? null) &&
    current.leaseToken === planned.leaseToken
  )
}

/**
 * Whether `current` is completed with exactly the files of `result`: the
 * same output key and, when `result` made a ladder, the same HLS master
 * playlist and first rendition. A checkpointed master keeps its key across
 * attempts, so the output key alone does not tell one attempt's completion
 * from another's; the ladder's keys, unique to one attempt, do.
 *
 * @example
 * ```ts
 * import { completionLanded } from '@mastervideo/core/adapter'
 * import type { MasterVideo, MasterVideoOutput } from '@mastervideo/core'
 *
 * declare const current: MasterVideo
 * declare const output: MasterVideoOutput
 * if (completionLanded({ output, thumbnailKey: null }, current)) console.log('already completed by this write')
 * ```
 */
export function completionLanded(result: TransitionData['complete'], current: MasterVideo): boolean {
  if (current.status !== 'completed' || current.output?.key !== result.output.key) return false
  const firstKey = (renditions: { key: string }[] | undefined) => renditions?.[0]?.key ?? null
  return (
    (current.hls?.masterKey ?? null) === (result.hls?.masterKey ?? null) &&
    firstKey(current.renditions) === firstKey(result.renditions)
  )
}
