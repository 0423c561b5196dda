import { type AssetResolveFunction, type AssetResolver, toAssetResolver } from '../assets/asset-resolver.js'
import { assertAssetsExist } from '../assets/missing-assets.js'
import { NotFoundError } from '../errors.js'
import { namedKeys } from '../output/named-keys.js'
import type { OutputStore } from '../output/output-store.js'
import { newMasterVideoId } from '../record/ids.js'
import type {
  EncodingOptions,
  HlsOptions,
  MasterVideo,
  MasterVideoStatus,
  RenditionSpec,
  ShotInput,
} from '../record/master-video.js'
import {
  validateEncoding,
  validateId,
  validateIdempotencyKey,
  validateLadder,
  validateMaxAttempts,
  validateName,
  validateShots,
  validateStatus,
} from '../record/validate.js'
import type { CreateResult, ListPage, Repository } from '../repository/repository.js'
import { serviceStats } from '../stats/service-stats.js'
import type { MasterVideoStats, StatsOptions } from '../stats/stats.js'
import { type Logger, silentLogger } from '../support/logger.js'
import { countCreated } from '../telemetry/attempt-telemetry.js'
import { captureTraceContext } from '../telemetry/tracer.js'
import type { Transcoder } from '../transcoder/transcoder.js'
import { Worker, type WorkerDeps, type WorkerOptions } from '../worker/worker.js'
import { MasterVideoEmitter, type MasterVideoEvents } from './events.js'
import { deleteUnnamed, ladderInput } from './ladder-input.js'
import { type WaitForOptions, waitFor } from './wait-for.js'

/** What {@link createMasterVideos} is built from. */
export interface MasterVideosOptions {
  /** Where jobs live: `memoryRepository()`, `sqliteRepository()`, `postgresRepository()`. */
  repository: Repository
  /** What joins the clips: `ffmpegTranscoder()`. */
  transcoder: Transcoder
  /** Turns a shot into a local file: `directoryAssets(root)` or any `(shot, job) => path`. */
  assets: AssetResolver | AssetResolveFunction
  /** Where finished videos go: `localOutputStore(dir)`. */
  output: OutputStore
  /** pino-shaped; silent by default. */
  logger?: Logger
  /** Defaults for new jobs. */
  defaults?: {
    /** Default 3. */
    maxAttempts?: number
    encoding?: EncodingOptions
  }
  /** Makes job ids. Default `master_<ms>_<8 chars>`. */
  generateId?: () => string
}

/** Input of {@link MasterVideos.create}. */
export interface CreateMasterVideoInput {
  projectId: string
  /** Shown to people and used in the download file name. */
  name: string
  /** 1 to 500 clips, in order. */
  shots: ShotInput[]
  encoding?: EncodingOptions
  /**
   * Smaller versions made from the master in one ffmpeg pass, stored in
   * `encoding.renditions` (this wins over one given there).
   */
  renditions?: RenditionSpec[]
  /** An HLS ladder of the renditions, stored in `encoding.hls` (this wins over one given there). */
  hls?: boolean | HlsOptions
  /** Default 3 (or `defaults.maxAttempts`). */
  maxAttempts?: number
  /** A repeated key within one project returns the first job instead of creating another. */
  idempotencyKey?: string | null
  /** Earliest start. Default: now, by the repository's clock. */
  runAt?: Date
}

/** Scopes a lookup to one project: another project's job is `NOT_FOUND`. */
export interface ScopeOptions {
  projectId?: string
}

/** Options of {@link MasterVideos.retry}. */
export interface RetryOptions {
  /** Changes to the job's encoding options for the new attempts. */
  encoding?: EncodingOptions
}

/** Arguments of {@link MasterVideos.list}. */
export interface ListMasterVideosOptions {
  projectId: string
  status?: MasterVideoStatus
  limit?: number
  cursor?: string | null
}

/**
 * The service facade: everything a host app does with master videos. Made by
 * {@link createMasterVideos}.
 */
export interface MasterVideos {
  /** The repository, output store and transcoder this service was built from. */
  readonly repository: Repository
  readonly output: OutputStore
  readonly transcoder: Transcoder
  /**
   * Validates and stores a new job (status `created`); a local worker starts it at once.
   * @throws `VALIDATION`; `ASSET_NOT_FOUND` naming the missing clips when the resolver has `exists`.
   */
  create(input: CreateMasterVideoInput): Promise<MasterVideo>
  /** As {@link MasterVideos.create}, also telling whether an idempotency key returned an existing job. */
  submit(input: CreateMasterVideoInput): Promise<CreateResult>
  /** @throws `NOT_FOUND` */
  get(id: string, scope?: ScopeOptions): Promise<MasterVideo>
  /** A page of a project's jobs, newest first. */
  list(options: ListMasterVideosOptions): Promise<ListPage>
  /**
   * Counts and timings of one project's jobs (or every project's) created
   * since a moment, and the webhook outbox's deliveries (`null` without one).
   * @throws `UNSUPPORTED` when the repository has no `stats`; `VALIDATION`
   * @example
   * ```ts
   * const { byStatus, processing } = await mv.stats({ projectId: 'p1', since: new Date('2026-01-01') })
   * ```
   */
  stats(options?: StatsOptions): Promise<MasterVideoStats>
  /**
   * `failed` or `canceled` -> `created`, attempts reset. `options.encoding` is
   * laid over the job's encoding options (`{ strategy: 'reencode' }` keeps its CRF).
   * @throws `NOT_FOUND`, `ILLEGAL_TRANSITION`, `VALIDATION` (bad encoding options)
   */
  retry(id: string, scope?: ScopeOptions, options?: RetryOptions): Promise<MasterVideo>
  /** `created` or `processing` -> `canceled`; a running transcode is killed. @throws `NOT_FOUND`, `ILLEGAL_TRANSITION` */
  cancel(id: string, scope?: ScopeOptions): Promise<MasterVideo>
  /** Removes the job and its files, whatever its status. @throws `NOT_FOUND` */
  delete(id: string, scope?: ScopeOptions): Promise<MasterVideo>
  /** Resolves with the completed record; rejects with the job's error code if it fails or is canceled. */
  waitFor(id: string, options?: WaitForOptions): Promise<MasterVideo>
  /** A new worker bound to this service (call `start()`). */
  worker(options?: WorkerOptions): Worker
  /** Subscribes to an event (see {@link MasterVideoEvents}). */
  on: MasterVideoEmitter['on']
  off: MasterVideoEmitter['off']
  once: MasterVideoEmitter['once']
  /** Stops every worker this service made (gracefully) and closes the repository. */
  close(options?: { graceMs?: number }): Promise<void>
}

/**
 * Builds the service from its adapters.
 *
 * @example
 * ```ts
 * import { createMasterVideos, directoryAssets, localOutputStore, memoryRepository } from '@mastervideo/core'
 * import type { Transcoder } from '@mastervideo/core'
 *
 * declare const transcoder: Transcoder // ffmpegTranscoder() from @mastervideo/adapter-ffmpeg
 * const mv = createMasterVideos({
 *   repository: memoryRepository(),
 *   transcoder,
 *   assets: directoryAssets('assets'),
 *   output: localOutputStore('data/master-videos'),
 * })
 * const job = await mv.create({ projectId: 'p1', name: '003', shots: ['a1.mp4', 'a2.mp4'] })
 * const worker = mv.worker({ concurrency: 2 }).start()
 * const done = await mv.waitFor(job.id)
 * await worker.stop()
 * ```
 */
export function createMasterVideos(options: MasterVideosOptions): MasterVideos {
  const { repository, transcoder, output } = options
  const assets = toAssetResolver(options.assets)
  const logger = options.logger ?? silentLogger
  const defaultMaxAttempts = validateMaxAttempts(options.defaults?.maxAttempts, 3)
  const defaultEncoding = validateEncoding(options.defaults?.encoding)
  const generateId = options.generateId ?? (() => newMasterVideoId())
  const emitter = new MasterVideoEmitter()
  const workers = new Set<Worker>()

  // A listener that throws must not break a worker or a request.
  const emit: WorkerDeps['emit'] = (event, ...args) => {
    try {
      ;(emitter.emit as (name: string, ...rest: unknown[]) => boolean)(event, ...args)
    } catch (error) {
      logger.error({ err: error, event }, 'mastervideo event listener failed')
    }
  }

  async function scoped(id: string, scope: ScopeOptions | undefined): Promise<MasterVideo> {
    validateId(id, 'id')
    const record = await repository.get(id)
    if (!record || (scope?.projectId !== undefined && record.projectId !== scope.projectId)) {
      throw new NotFoundError(`No master video ${id}`, { details: { id } })
    }
    return record
  }

  async function submit(input: CreateMasterVideoInput): Promise<CreateResult> {
    const job = {
      id: generateId(),
      projectId: validateId(input.projectId, 'projectId'),
      name: validateName(input.name),
      shots: validateShots(input.shots),
      maxAttempts: validateMaxAttempts(input.maxAttempts, defaultMaxAttempts),
      encoding: validateLadder({ ...defaultEncoding, ...validateEncoding(ladderInput(input)) }),
      idempotencyKey: validateIdempotencyKey(input.idempotencyKey),
      // The worker's attempt span continues this request's trace.
      traceContext: captureTraceContext(),
      ...(input.runAt ? { runAt: input.runAt } : {}),
    }
    // A missing clip is refused now, when the resolver can tell, not when the job runs.
    await assertAssetsExist(assets, job.shots, job)
    const result = await repository.create(job)
    if (result.created) {
      countCreated()
      emit('created', result.record)
      for (const worker of workers) worker.wake()
    }
    return result
  }

  return {
    repository,
    output,
    transcoder,
    submit,
    async create(input) {
      return (await submit(input)).record
    },
    get: scoped,
    async list({ projectId, status, limit, cursor }) {
      return repository.list({
        projectId: validateId(projectId, 'projectId'),
        status: status === undefined ? undefined : validateStatus(status),
        limit,
        cursor: cursor ?? null,
      })
    },
    stats: (statsOptions) => serviceStats(repository, statsOptions),
    async retry(id, scope, retryOptions) {
      const current = await scoped(id, scope)
      const changes = validateEncoding(retryOptions?.encoding)
      const record =
        Object.keys(changes).length > 0
          ? await repository.retry(id, { encoding: validateLadder({ ...current.encoding, ...changes }) })
          : await repository.retry(id)
      await deleteUnnamed(output, current, record, logger)
      emit('created', record)
      for (const worker of workers) worker.wake()
      return record
    },
    async cancel(id, scope) {
      await scoped(id, scope)
      const record = await repository.cancel(id)
      let runningHere = false
      for (const worker of workers) runningHere = worker.abortJob(id) || runningHere
      if (!runningHere) emit('canceled', record)
      return record
    },
    async delete(id, scope) {
      await scoped(id, scope)
      const record = await repository.delete(id)
      if (!record) throw new NotFoundError(`No master video ${id}`, { details: { id } })
      for (const worker of workers) worker.abortJob(id)
      for (const key of namedKeys(record)) {
        await output
          .delete(key)
          .catch((error) => logger.warn({ err: error, key }, 'mastervideo could not delete'))
      }
      emit('deleted', record)
      return record
    },
    waitFor(id, waitOptions) {
      return waitFor({ repository, emitter }, id, waitOptions)
    },
    worker(workerOptions) {
      const worker = new Worker({ repository, transcoder, assets, output, logger, emit }, workerOptions)
      workers.add(worker)
      return worker
    },
    on: emitter.on.bind(emitter),
    off: emitter.off.bind(emitter),
    once: emitter.once.bind(emitter),
    async close(closeOptions) {
      await Promise.all([...workers].map((worker) => worker.stop(closeOptions)))
      await repository.close?.()
    },
  }
}
