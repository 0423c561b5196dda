import { IllegalTransitionError } from '../errors.js'
import type {
  EncodingOptions,
  HlsOutput,
  JobError,
  MasterVideo,
  MasterVideoOutput,
  MasterVideoStatus,
  NewMasterVideo,
  RenditionOutput,
  SkippedRendition,
} from './master-video.js'

/**
 * The one transition table. Every status change of every repository is one of
 * these events; repositories enforce `from` with a compare-and-set and write
 * `to`, they never decide a transition themselves.
 *
 * A `processing` job whose lease expired is taken by the next `claim` as if it
 * had been requeued first (`requeue` then `claim`, in one atomic write).
 */
export const TRANSITIONS = {
  /** A worker takes the job; the claim sets a fresh lease. */
  claim: { from: ['created'], to: 'processing' },
  /** Output written and renamed into place. */
  complete: { from: ['processing'], to: 'completed' },
  /**
   * The master is committed but the job goes on (its renditions): the record
   * names the master under the same lease, so a later attempt starts from it.
   */
  checkpoint: { from: ['processing'], to: 'processing' },
  /** Retryable failure with attempts left, an expired lease, or a graceful release. */
  requeue: { from: ['processing'], to: 'created' },
  /** Non-retryable error, or attempts used up. */
  fail: { from: ['processing'], to: 'failed' },
  /** Cancel; a running transcode is killed. */
  cancel: { from: ['created', 'processing'], to: 'canceled' },
  /** Manual retry: attempts reset. */
  retry: { from: ['failed', 'canceled'], to: 'created' },
} as const satisfies Record<string, { from: readonly MasterVideoStatus[]; to: MasterVideoStatus }>

/** A named change of status. */
export type TransitionEvent = keyof typeof TRANSITIONS

/** Whether `event` may happen to a job in status `from`. */
export function canTransition(from: MasterVideoStatus, event: TransitionEvent): boolean {
  return (TRANSITIONS[event].from as readonly MasterVideoStatus[]).includes(from)
}

/**
 * The status `event` leads to from `from`.
 *
 * @throws `IllegalTransitionError` when the table has no such move.
 * @example
 * ```ts
 * import { transition } from '@mastervideo/core/adapter'
 *
 * transition('failed', 'retry') // 'created'
 * transition('completed', 'cancel') // throws ILLEGAL_TRANSITION
 * ```
 */
export function transition(from: MasterVideoStatus, event: TransitionEvent, id?: string): MasterVideoStatus {
  if (!canTransition(from, event)) {
    throw new IllegalTransitionError(
      `Cannot ${event} a ${from} job${id ? ` (${id})` : ''}; allowed from: ${TRANSITIONS[event].from.join(', ')}`,
      { details: { from, event, ...(id ? { id } : {}) } },
    )
  }
  return TRANSITIONS[event].to
}

/** The facts each event writes besides the status. */
export interface TransitionData {
  claim: { workerId: string; leaseToken: string; leaseMs: number }
  /** The renditions and HLS ladder, when the job asked for them; absent ones are stored empty. */
  complete: {
    output: MasterVideoOutput
    thumbnailKey: string | null
    renditions?: RenditionOutput[]
    skippedRenditions?: SkippedRendition[]
    hls?: HlsOutput | null
  }
  checkpoint: { output: MasterVideoOutput; thumbnailKey: string | null }
  requeue: { runAt: Date; error: JobError | null; refundAttempt: boolean }
  fail: { error: JobError }
  cancel: Record<string, never>
  /**
   * `encoding`, when given, replaces the job's encoding options for the next
   * attempts and drops a checkpointed master; without it the master is kept.
   */
  retry: { encoding?: EncodingOptions }
}

const noLease = { leaseOwner: null, leaseToken: null, leaseExpiresAt: null } as const

/**
 * The record after `event`, computed without I/O. A repository that keeps whole
 * records (like `memoryRepository`) stores exactly this; a SQL repository
 * writes the same columns in its compare-and-set `UPDATE`.
 *
 * @throws `IllegalTransitionError` when `record.status` does not allow `event`.
 */
export function applyTransition<E extends TransitionEvent>(
  record: MasterVideo,
  event: E,
  data: TransitionData[E],
  now: Date,
): MasterVideo {
  const status = transition(record.status, event, record.id)
  const base = { ...record, status, updatedAt: now }
  switch (event) {
    case 'claim': {
      const d = data as TransitionData['claim']
      return {
        ...base,
        attempts: record.attempts + 1,
        progress: 0,
        leaseOwner: d.workerId,
        leaseToken: d.leaseToken,
        leaseExpiresAt: new Date(now.getTime() + d.leaseMs),
        startedAt: now,
      }
    }
    case 'complete': {
      const d = data as TransitionData['complete']
      return {
        ...base,
        ...noLease,
        progress: 1,
        error: null,
        output: d.output,
        thumbnailKey: d.thumbnailKey,
        renditions: d.renditions ?? [],
        skippedRenditions: d.skippedRenditions ?? [],
        hls: d.hls ?? null,
        completedAt: now,
      }
    }
    case 'checkpoint': {
      // The lease and progress stay: the attempt goes on under the same claim.
      const d = data as TransitionData['checkpoint']
      return { ...base, output: d.output, thumbnailKey: d.thumbnailKey }
    }
    case 'requeue': {
      const d = data as TransitionData['requeue']
      return {
        ...base,
        ...noLease,
        progress: 0,
        runAt: d.runAt,
        error: d.error ?? record.error,
        attempts: d.refundAttempt ? Math.max(0, record.attempts - 1) : record.attempts,
      }
    }
    case 'fail': {
      const d = data as TransitionData['fail']
      return { ...base, ...noLease, error: d.error }
    }
    case 'cancel':
      return { ...base, ...noLease, error: { code: 'CANCELED', message: 'Canceled on request' } }
    case 'retry': {
      const d = data as TransitionData['retry']
      // A checkpointed master (see `checkpoint`) is kept unless the encoding
      // options change: the new attempts start from it instead of redoing it.
      const keep = !d.encoding && record.output !== null
      return {
        ...base,
        ...noLease,
        ...(d.encoding ? { encoding: structuredClone(d.encoding) } : {}),
        attempts: 0,
        progress: 0,
        error: null,
        output: keep ? record.output : null,
        thumbnailKey: keep ? record.thumbnailKey : null,
        renditions: [],
        skippedRenditions: [],
        hls: null,
        runAt: now,
        startedAt: null,
        completedAt: null,
      }
    }
    default:
      throw new IllegalTransitionError(`Unknown event ${String(event)}`)
  }
}

/**
 * The record `Repository.create` stores for `input`: status `created`,
 * no attempt, no lease, no outcome yet. Pure, like {@link applyTransition}.
 */
export function initialRecord(input: NewMasterVideo, now: Date): MasterVideo {
  return {
    ...input,
    traceContext: input.traceContext ?? null,
    runAt: input.runAt ?? now,
    status: 'created',
    progress: 0,
    attempts: 0,
    leaseOwner: null,
    leaseToken: null,
    leaseExpiresAt: null,
    error: null,
    output: null,
    thumbnailKey: null,
    renditions: [],
    skippedRenditions: [],
    hls: null,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    completedAt: null,
  }
}
