import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import type { AssetResolver } from '../assets/asset-resolver.js'
import {
  CanceledError,
  isMasterVideoError,
  type MasterVideoError,
  TimeoutError,
  toMasterVideoError,
} from '../errors.js'
import type { WebhookDispatcher } from '../notify/webhook-dispatcher.js'
import { startWorkerWebhooks, type WorkerWebhookOptions } from '../notify/worker-webhooks.js'
import type { OutputStore } from '../output/output-store.js'
import { intervalPoller } from '../poller/interval-poller.js'
import type { Poller } from '../poller/poller.js'
import { newLeaseToken } from '../record/ids.js'
import type { MasterVideo } from '../record/master-video.js'
import type { Lease, Repository } from '../repository/repository.js'
import type { MasterVideoEvents } from '../service/events.js'
import type { BackoffOptions } from '../support/backoff.js'
import type { Logger } from '../support/logger.js'
import { type AttemptTelemetry, countFailed, startAttempt } from '../telemetry/attempt-telemetry.js'
import { observeWorkerSlots } from '../telemetry/queue-gauges.js'
import { tracedJob } from '../telemetry/traced-job.js'
import type { Transcoder } from '../transcoder/transcoder.js'
import { boundedCall, settlesWithin } from './bounded-call.js'
import { type AbortKind, decideOutcome } from './decide-outcome.js'
import { startLeaseHeartbeat } from './lease-heartbeat.js'
import { runJob } from './run-job.js'
import { scheduleSweeps } from './sweep-schedule.js'

/** Options of {@link Worker}, given to `mv.worker(options)`. */
export interface WorkerOptions {
  /** Jobs run at once. Default 1. */
  concurrency?: number
  /** How this worker appears as `leaseOwner`. Default `<hostname>:<pid>:<random>`. */
  workerId?: string
  /** How long a claim lasts without a heartbeat. Default 30000. */
  leaseMs?: number
  /** How often the lease is renewed. Default a third of `leaseMs`. */
  heartbeatMs?: number
  /**
   * When no renewal of a job's lease has succeeded for `leaseMs` minus this
   * (by this process's monotonic clock, from when the last good renewal was
   * sent), the worker aborts the job with `LEASE_LOST`: the transcode stops
   * before the lease can lapse and another worker claim the job. Must leave
   * room for at least one heartbeat. Default half of `leaseMs - heartbeatMs`,
   * at most 5000.
   */
  leaseMarginMs?: number
  /**
   * The longest wait for one repository call of a running job (complete,
   * fail, release, a read). Past it the call is abandoned as a retryable
   * `TIMEOUT` (its late answer changes nothing: every write is a
   * compare-and-set on the lease). Default `leaseMs`.
   */
  writeTimeoutMs?: number
  /** The shortest time between two progress writes of one job. Default 500. */
  progressIntervalMs?: number
  /** How the worker learns of work from other processes. Default `intervalPoller(1000)`. */
  poller?: Poller
  /** A job running longer is aborted with `TIMEOUT` (retryable). Default 1 hour; 0 disables. */
  jobTimeoutMs?: number
  /** How long `stop()` lets running jobs finish before releasing them. Default 30000. */
  graceMs?: number
  /**
   * After `graceMs`, how long `stop()` waits for the aborted jobs to stop and
   * be released before it resolves anyway (a job it could not release goes
   * back to the queue when its lease lapses). Default 5000.
   */
  stopTimeoutMs?: number
  /**
   * When the worker starts, and again at this interval while it runs,
   * leftovers of crashed runs older than this
   * (temporary and partial files in the output store, the transcoder's
   * scratch folders, and committed files no job names) are removed and logged.
   * Default 1 hour; 0 skips the sweep.
   */
  sweepOlderThanMs?: number
  /**
   * How far back, past `sweepOlderThanMs`, the startup sweep looks for
   * committed files no job names; each such file's job is read once. Default
   * 7 days; 0 skips that part of the sweep.
   */
  orphanWindowMs?: number
  /** Retry delays for retryable failures. */
  backoff?: BackoffOptions
  /** Overrides the service's logger. */
  logger?: Logger
  /**
   * Delivers the repository's webhook outbox from this process while the
   * worker runs (see `webhookDispatcher`). Needs a repository with `outbox`.
   */
  webhooks?: WorkerWebhookOptions
}

/** What a worker needs from its service. */
export interface WorkerDeps {
  repository: Repository
  transcoder: Transcoder
  assets: AssetResolver
  output: OutputStore
  logger: Logger
  emit: <E extends keyof MasterVideoEvents>(event: E, ...args: MasterVideoEvents[E]) => void
}

/** One running job. */
export interface ActiveJob {
  record: MasterVideo
  lease: Lease
  controller: AbortController
  abortKind: AbortKind | null
  done: Promise<void>
}

function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`
}

/**
 * Claims jobs and runs them: resolve assets, concat into a temporary file,
 * poster frame, atomic commit, complete. A heartbeat renews the lease and
 * writes progress; the error code decides retry (with backoff) or fail.
 *
 * Create it with `mv.worker(options)`, then `start()`; `await stop()` on
 * shutdown (SIGTERM): it stops claiming, lets running jobs finish within
 * `graceMs`, then releases the rest back to `created` without using up an attempt.
 *
 * @example
 * ```ts
 * import type { MasterVideos } from '@mastervideo/core'
 *
 * declare const mv: MasterVideos
 * const worker = mv.worker({ concurrency: 2 }).start()
 * process.once('SIGTERM', () => void worker.stop())
 * ```
 */
export class Worker {
  /** This worker's id, stored as `leaseOwner` on the jobs it holds. */
  readonly id: string
  private readonly concurrency: number
  private readonly leaseMs: number
  private readonly heartbeatMs: number
  private readonly leaseMarginMs: number
  private readonly writeTimeoutMs: number
  private readonly stopTimeoutMs: number
  private readonly progressIntervalMs: number
  private readonly jobTimeoutMs: number
  private readonly graceMs: number
  private readonly poller: Poller
  private readonly logger: Logger
  private readonly active = new Map<string, ActiveJob>()
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle'
  private woken = false
  private wakeLoop: (() => void) | null = null
  private stopPoller: (() => void) | null = null
  private stopSweeps: (() => void) | null = null
  private stopSlots: (() => void) | null = null
  private webhooks: WebhookDispatcher | null = null
  private loopDone: Promise<void> = Promise.resolve()
  private stopping: Promise<void> | null = null

  /** @internal Made by `MasterVideos.worker()`; the dependencies are the service's. */
  constructor(
    private readonly deps: WorkerDeps,
    private readonly options: WorkerOptions = {},
  ) {
    this.id = options.workerId ?? defaultWorkerId()
    this.concurrency = Math.max(1, Math.trunc(options.concurrency ?? 1))
    this.leaseMs = options.leaseMs ?? 30_000
    this.heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(this.leaseMs / 3))
    this.leaseMarginMs =
      options.leaseMarginMs ?? Math.max(0, Math.min(5000, Math.floor((this.leaseMs - this.heartbeatMs) / 2)))
    this.writeTimeoutMs = options.writeTimeoutMs ?? this.leaseMs
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5000
    this.progressIntervalMs = options.progressIntervalMs ?? 500
    this.jobTimeoutMs = options.jobTimeoutMs ?? 60 * 60_000
    this.graceMs = options.graceMs ?? 30_000
    this.poller = options.poller ?? intervalPoller(1000)
    this.logger = options.logger ?? deps.logger
    if (this.heartbeatMs >= this.leaseMs) {
      throw new RangeError('heartbeatMs must be shorter than leaseMs, or every lease lapses')
    }
    if (this.heartbeatMs >= this.leaseMs - this.leaseMarginMs) {
      throw new RangeError(
        'heartbeatMs must be shorter than leaseMs - leaseMarginMs, or every job is given up',
      )
    }
  }

  /** Jobs this worker is running now. */
  get running(): number {
    return this.active.size
  }

  /** Ids of the jobs this worker is running now. */
  get jobIds(): string[] {
    return [...this.active.keys()]
  }

  /** Begins claiming. Returns the worker, so `const w = mv.worker().start()` reads well. */
  start(): this {
    if (this.state !== 'idle') throw new Error('A worker can be started once')
    this.state = 'running'
    this.stopPoller = this.poller.start(() => this.wake())
    this.stopSlots = observeWorkerSlots(() => ({ busy: this.active.size, total: this.concurrency }))
    this.loopDone = this.loop()
    const sweepAge = this.options.sweepOlderThanMs ?? 60 * 60_000
    if (sweepAge > 0) {
      this.stopSweeps = scheduleSweeps({
        ...this.deps,
        logger: this.logger,
        olderThanMs: sweepAge,
        orphanWindowMs: this.options.orphanWindowMs,
      })
    }
    this.webhooks = startWorkerWebhooks(this.deps.repository, this.options.webhooks, this.logger)
    this.logger.info({ workerId: this.id, concurrency: this.concurrency }, 'mastervideo worker started')
    return this
  }

  /** Tells the worker there may be work now (used by the in-process wake-up). */
  wake(): void {
    this.woken = true
    this.wakeLoop?.()
  }

  /**
   * Aborts a job this worker runs, because it was canceled or deleted through
   * this process. Returns false when the job is not running here (then the
   * caller announces the cancel itself; otherwise this worker does).
   */
  abortJob(id: string): boolean {
    const job = this.active.get(id)
    if (!job) return false
    this.abort(job, 'cancel', new CanceledError(`Master video ${id} was canceled`))
    return true
  }

  /**
   * Stops claiming, waits up to `graceMs` for running jobs, then aborts the
   * rest and releases them to `created` (their attempt is not counted).
   * Resolves when nothing is running, and in any case within `graceMs` plus
   * `stopTimeoutMs`, even when the repository hangs. Safe to call more than once.
   */
  stop(options: { graceMs?: number } = {}): Promise<void> {
    this.stopping ??= this.shutdown(options.graceMs ?? this.graceMs)
    return this.stopping
  }

  private async shutdown(graceMs: number): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped'
      return
    }
    this.state = 'stopping'
    const graceEnd = performance.now() + graceMs
    this.stopPoller?.()
    this.stopSweeps?.()
    void this.webhooks?.stop()
    this.wake()
    // A claim hanging on the database must not hold the stop; if it returns, its job is released.
    await settlesWithin(this.loopDone, graceMs)
    const settled = Promise.all([...this.active.values()].map((job) => job.done))
    if (!(await settlesWithin(settled, graceEnd - performance.now()))) {
      for (const job of this.active.values()) {
        this.abort(job, 'shutdown', new CanceledError('The worker is shutting down'))
      }
      const aborted = Promise.all([...this.active.values()].map((job) => job.done))
      if (!(await settlesWithin(aborted, this.stopTimeoutMs))) {
        this.logger.warn(
          { workerId: this.id, ids: this.jobIds },
          'mastervideo worker stopped before it could release every job; their leases will lapse',
        )
      }
    }
    this.state = 'stopped'
    this.stopSlots?.()
    this.logger.info({ workerId: this.id }, 'mastervideo worker stopped')
  }

  private abort(job: ActiveJob, kind: AbortKind, reason: MasterVideoError): void {
    if (job.controller.signal.aborted) return
    job.abortKind = kind
    job.controller.abort(reason)
  }

  private async loop(): Promise<void> {
    while (this.state === 'running') {
      this.woken = false
      while (this.state === 'running' && this.active.size < this.concurrency) {
        let claimed: Awaited<ReturnType<Repository['claim']>>
        // The database sets the lease after this instant, so it lapses no earlier than this + leaseMs.
        const claimSentAt = performance.now()
        try {
          claimed = await this.deps.repository.claim({
            workerId: this.id,
            leaseToken: newLeaseToken(),
            leaseMs: this.leaseMs,
          })
        } catch (error) {
          // A transient repository failure: try again at the next wake-up.
          this.logger.error({ err: error, workerId: this.id }, 'mastervideo claim failed')
          break
        }
        if (!claimed) break
        if (this.state !== 'running') {
          // The claim answered after stop() began: hand the job straight back.
          const { lease } = claimed
          await this.settle(() => this.deps.repository.release(lease), null)
          break
        }
        this.track(claimed.record, claimed.lease, claimSentAt)
      }
      if (this.woken || this.state !== 'running') continue
      await new Promise<void>((resolve) => {
        this.wakeLoop = resolve
      })
      this.wakeLoop = null
    }
  }

  private track(record: MasterVideo, lease: Lease, claimSentAt: number): void {
    const job: ActiveJob = {
      record,
      lease,
      controller: new AbortController(),
      abortKind: null,
      done: Promise.resolve(),
    }
    this.active.set(record.id, job)
    job.done = this.execute(job, claimSentAt).finally(() => {
      this.active.delete(record.id)
      this.wake()
    })
  }

  private async execute(job: ActiveJob, claimSentAt: number): Promise<void> {
    const { repository, emit } = this.deps
    const { record, lease } = job
    const log = { workerId: this.id, id: record.id, attempt: record.attempts }

    // A job whose previous workers all died mid-run has used up its attempts.
    if (record.attempts > record.maxAttempts) {
      await this.settle(
        () =>
          repository.fail(lease, {
            code: 'LEASE_EXPIRED',
            message: `Its worker stopped responding on each of ${record.maxAttempts} attempts`,
          }),
        'failed',
      )
      countFailed(record, 'LEASE_EXPIRED')
      return
    }

    const attempt = startAttempt(record, this.id)
    this.logger.info(log, 'mastervideo job started')
    emit('processing', record)
    const heartbeat = startLeaseHeartbeat({
      repository,
      record,
      lease,
      leaseMs: this.leaseMs,
      heartbeatMs: this.heartbeatMs,
      marginMs: this.leaseMarginMs,
      claimSentAt,
      progressIntervalMs: this.progressIntervalMs,
      logger: this.logger,
      onProgress: (event) => emit('progress', event),
      onLost: (kind, reason) => this.abort(job, kind, reason),
    })
    const timeout = this.startTimeout(job)
    let failure: { thrown: unknown } | null = null
    try {
      const result = await attempt.run(() =>
        runJob(
          tracedJob({
            ...this.deps,
            logger: this.logger,
            record,
            signal: job.controller.signal,
            onProgress: (fraction) => heartbeat.progress(fraction),
            complete: async (outcome) => {
              // No heartbeat may race the final write.
              await heartbeat.stop()
              return this.bounded('complete', () => repository.complete(lease, outcome))
            },
            checkpoint: (outcome) => this.bounded('checkpoint', () => repository.checkpoint(lease, outcome)),
            read: () => this.bounded('get', () => repository.get(record.id)),
          }),
        ),
      )
      attempt.completed(result)
      this.logger.info({ ...log, strategy: result.output?.strategy }, 'mastervideo job completed')
      emit('completed', result)
    } catch (thrown) {
      failure = { thrown }
    } finally {
      clearTimeout(timeout)
      await heartbeat.stop()
    }
    if (failure) await this.applyOutcome(job, failure.thrown, attempt)
  }

  /** Aborts the job with `TIMEOUT` once it has run `jobTimeoutMs`; none when that is 0. */
  private startTimeout(job: ActiveJob): NodeJS.Timeout | undefined {
    if (this.jobTimeoutMs <= 0) return undefined
    const limit = this.jobTimeoutMs
    return setTimeout(
      () => this.abort(job, 'timeout', new TimeoutError(`The job ran longer than ${limit} ms`)),
      limit,
    )
  }

  /** Writes what {@link decideOutcome} says about a failed or aborted attempt, and announces it. */
  private async applyOutcome(job: ActiveJob, thrown: unknown, attempt?: AttemptTelemetry): Promise<void> {
    const { repository, emit } = this.deps
    const { record, lease } = job
    const signal = job.controller.signal
    const error = toMasterVideoError(signal.aborted ? signal.reason : thrown)
    const abortKind = signal.aborted ? job.abortKind : null
    const log = { workerId: this.id, id: record.id, attempt: record.attempts, code: error.code }
    const outcome = decideOutcome(error, record, abortKind, {
      backoff: this.options.backoff,
      stopping: this.state !== 'running',
    })
    attempt?.failed(error, outcome)

    switch (outcome.kind) {
      case 'nothing':
        if (outcome.because === 'canceled') {
          // The repository already says `canceled`. This worker announces it;
          // the service stays quiet when a local worker ran the job.
          this.logger.info(log, 'mastervideo job canceled')
          const current = await this.bounded('get', () => repository.get(record.id)).catch(() => null)
          if (current?.status === 'canceled') emit('canceled', current)
        } else {
          this.logger.warn(log, 'mastervideo lease lost; another worker may hold the job')
        }
        return
      case 'release':
        await this.settle(() => repository.release(lease), null)
        this.logger.info(log, 'mastervideo job released on shutdown')
        return
      case 'retry':
        this.logger.warn(
          { ...log, err: error, retryInMs: outcome.delayMs },
          'mastervideo job failed; will retry',
        )
        await this.settle(
          () => repository.fail(lease, outcome.error, { retryAt: outcome.at }),
          'retrying',
          error,
        )
        return
      case 'fail':
        this.logger.error({ ...log, err: error }, 'mastervideo job failed')
        await this.settle(() => repository.fail(lease, outcome.error), 'failed', error)
        return
    }
  }

  /** One repository call of a running job, abandoned after `writeTimeoutMs` (see {@link boundedCall}). */
  private bounded<T>(what: string, call: () => Promise<T>): Promise<T> {
    return boundedCall(what, this.writeTimeoutMs, call)
  }

  /** Runs a final write; a lost lease or a hung database there is logged, not thrown. */
  private async settle(
    write: () => Promise<MasterVideo>,
    event: 'failed' | 'retrying' | null,
    failure?: MasterVideoError,
  ): Promise<void> {
    try {
      const record = await this.bounded('the final write', write)
      if (event) this.deps.emit(event, record, failure)
    } catch (error) {
      const code = isMasterVideoError(error) ? error.code : 'INTERNAL'
      this.logger.warn({ err: error, code, workerId: this.id }, 'mastervideo could not record the outcome')
    }
  }
}
