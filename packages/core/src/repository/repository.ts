import type { Outbox } from '../outbox/outbox.js'
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
} from '../record/master-video.js'
import type { RepositoryStats, StatsOptions } from '../stats/stats.js'

/** What a worker holds while it runs a job: the proof it may write to it. */
export interface Lease {
  /** The job id. */
  id: string
  /** The token of this claim; every write of the attempt is fenced by it. */
  token: string
  /** The worker that claimed it. */
  workerId: string
}

/** Arguments of {@link Repository.claim}. */
export interface ClaimOptions {
  /** Identifies the worker, stored as `leaseOwner`. */
  workerId: string
  /** A fresh token for this claim (see `newLeaseToken`). */
  leaseToken: string
  /** How long the lease lasts without a heartbeat. */
  leaseMs: number
}

/** What {@link Repository.heartbeat} tells the worker. */
export type HeartbeatResult =
  | { ok: true; record: MasterVideo }
  | { ok: false; reason: 'canceled' | 'lease_lost'; record: MasterVideo | null }

/** Arguments of {@link Repository.list}. */
export interface ListOptions {
  projectId: string
  /** Only jobs in this status. */
  status?: MasterVideoStatus
  /** Page size; implementations clamp it to 1..100. Default 20. */
  limit?: number
  /** The `nextCursor` of the previous page. */
  cursor?: string | null
}

/** One page of {@link Repository.list}, newest first. */
export interface ListPage {
  items: MasterVideo[]
  /** Pass it back as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null
}

/** What {@link Repository.complete} records: the master, its poster, and the renditions and HLS ladder made from it. */
export interface CompleteResult {
  output: MasterVideoOutput
  thumbnailKey: string | null
  /** The renditions made; absent: none. */
  renditions?: RenditionOutput[]
  /** Requested renditions not made, with the reason; absent: none. */
  skippedRenditions?: SkippedRendition[]
  /** The HLS ladder; absent: none. */
  hls?: HlsOutput | null
}

/** What {@link Repository.create} returns. */
export interface CreateResult {
  record: MasterVideo
  /** False when the idempotency key matched an existing job, which is returned instead. */
  created: boolean
}

/**
 * Where jobs live. Core's worker and service call only these methods; an
 * adapter (SQLite, PostgreSQL, your own) implements them against its storage,
 * and proves it with `repositoryConformance()` from `@mastervideo/core/testing`.
 *
 * Obligations every implementation MUST meet:
 * - Status changes follow `TRANSITIONS`, and the written fields follow
 *   `applyTransition`. A write whose precondition does not hold changes
 *   nothing.
 * - Every write made under a {@link Lease} is a compare-and-set on (id,
 *   `processing`, lease token): a worker whose lease expired and whose job
 *   another worker claimed since MUST be refused with `LEASE_LOST`, even if it
 *   wakes up years later.
 * - `claim` is atomic: under any number of concurrent callers, in any number of
 *   processes, exactly one caller receives a given job per claim.
 * - A write under a lease has one defined outcome even when the connection
 *   breaks after it was sent: an implementation that cannot tell whether it
 *   committed MUST read the job again and recognise its own write (see
 *   `transitionLanded` in `@mastervideo/core/adapter`) before it re-sends or
 *   refuses it, and a claim whose reply was lost MUST NOT leave the job it
 *   took orphaned (find it again by its lease token).
 * - Returned records are copies: mutating one MUST NOT change stored state.
 * - Strings round-trip exactly (quotes, NUL, emoji, any length the interface allows).
 */
export interface Repository {
  /**
   * Stores a new job in status `created`.
   * MUST return the existing job, unchanged and with `created: false`, when a job
   * of the same project already has `input.idempotencyKey` (concurrent creates
   * with one key MUST yield one job).
   */
  create(input: NewMasterVideo): Promise<CreateResult>

  /**
   * The job, or `null` when there is none with that id. When a write of this
   * job made through the same repository object is still running (its caller
   * may have stopped waiting), MUST wait for it to end first, so the record
   * read is that write's outcome: a worker decides from it whether the files
   * it committed are named.
   */
  get(id: string): Promise<MasterVideo | null>

  /**
   * A page of one project's jobs, newest first (`createdAt` descending, then
   * `id` descending). Paging through with `nextCursor` MUST return every job
   * exactly once, even when jobs are created meanwhile.
   */
  list(options: ListOptions): Promise<ListPage>

  /**
   * Atomically takes the oldest due job: `created` with `runAt <= now`, or
   * `processing` whose lease expired (`leaseExpiresAt <= now`), and moves it to
   * `processing` under the caller's lease, as `applyTransition(record, "claim")`
   * describes (attempts + 1). Oldest means smallest `runAt`, then `createdAt`.
   * Returns `null` when nothing is due. MUST hand a job to exactly one of any
   * number of concurrent callers.
   */
  claim(options: ClaimOptions): Promise<{ record: MasterVideo; lease: Lease } | null>

  /**
   * Renews the lease to `now + leaseMs` and, when given, stores `progress`
   * (0..1). MUST return `{ ok: false, reason: 'canceled' }` when the job was
   * canceled and `{ ok: false, reason: 'lease_lost' }` when the lease token no
   * longer matches (or the job is gone), writing nothing in either case.
   */
  heartbeat(lease: Lease, update: { leaseMs: number; progress?: number }): Promise<HeartbeatResult>

  /**
   * `processing` -> `completed` with the output (and the renditions, skipped
   * renditions and HLS ladder, stored empty when absent), under the lease.
   * MUST return the stored record, writing nothing, when the job is already
   * `completed` with the same files (`completionLanded` in
   * `@mastervideo/core/adapter` tells): that is this very write,
   * repeated after its reply was lost. A caller that deletes the file it
   * committed on `LEASE_LOST` relies on this.
   * @throws `LEASE_LOST` when the lease no longer matches.
   */
  complete(lease: Lease, result: CompleteResult): Promise<MasterVideo>

  /**
   * Names the committed master (and poster) on the record while the job goes
   * on under the same lease (`processing` -> `processing`: its renditions are
   * still being made), so that a later attempt starts from that master
   * instead of making it again. The lease, progress and attempts stay.
   * MUST return the stored record, writing nothing, when the job is already
   * `processing` under this lease with an output of the same `key` (this
   * very write, repeated after its reply was lost).
   * @throws `LEASE_LOST` when the lease no longer matches.
   */
  checkpoint(
    lease: Lease,
    result: { output: MasterVideoOutput; thumbnailKey: string | null },
  ): Promise<MasterVideo>

  /**
   * Ends the attempt with an error, under the lease: `processing` -> `created`
   * with `runAt = retryAt` when `retryAt` is given (attempts kept), otherwise
   * `processing` -> `failed`.
   * @throws `LEASE_LOST` when the lease no longer matches.
   */
  fail(lease: Lease, error: JobError, options?: { retryAt?: Date }): Promise<MasterVideo>

  /**
   * Gives the job back without using up an attempt (graceful shutdown):
   * `processing` -> `created`, attempts - 1, `runAt = now`.
   * @throws `LEASE_LOST` when the lease no longer matches.
   */
  release(lease: Lease): Promise<MasterVideo>

  /**
   * Manual retry: `failed` or `canceled` -> `created`, attempts 0, error cleared.
   * With `options.encoding`, the job's encoding options MUST be replaced by it
   * in the same write (a retry that may not fail the same way again).
   * @throws `NOT_FOUND`, or `ILLEGAL_TRANSITION` from any other status.
   */
  retry(id: string, options?: { encoding?: EncodingOptions }): Promise<MasterVideo>

  /**
   * `created` or `processing` -> `canceled`; the lease is dropped, so the
   * running worker's next heartbeat learns of it.
   * @throws `NOT_FOUND`, or `ILLEGAL_TRANSITION` from any other status.
   */
  cancel(id: string): Promise<MasterVideo>

  /**
   * Removes the job in any status and returns what it was, or `null` if there
   * was none. Files are the caller's to remove.
   */
  delete(id: string): Promise<MasterVideo | null>

  /**
   * Counts and measures the jobs of one project (or every project) created at
   * or after `options.since`, as {@link RepositoryStats} defines each figure.
   * Optional: `mv.stats()` throws `UNSUPPORTED` for a repository without it.
   * A storage that can query SHOULD answer with a query (aggregates and
   * percentiles computed where the rows are), never by loading every record.
   * MUST count every status in `byStatus` (0 when none) and round each
   * percentile to whole milliseconds.
   *
   * @example
   * ```ts
   * const stats = await repository.stats?.({ projectId: 'p1', since: new Date('2026-01-01') })
   * ```
   */
  stats?(options?: StatsOptions): Promise<RepositoryStats>

  /** Releases connections the repository opened itself (not ones it was given). */
  close?(): Promise<void>

  /**
   * The transactional webhook outbox, when the repository keeps one: each
   * `completed`, `failed` and `canceled` transition writes its event in the
   * same transaction, and `webhookDispatcher()` delivers it from any process.
   * A repository without it still works: webhooks then come only from the
   * service's in-process events (`webhookNotifier()`), which a crash can lose.
   */
  readonly outbox?: Outbox
}
