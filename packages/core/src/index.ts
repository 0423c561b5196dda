/**
 * `@mastervideo/core`: durable jobs that join an ordered list of video clips
 * ("shots") into one master video. Core owns the record and its state
 * machine, the worker, the service facade and the ports adapters implement;
 * it has no runtime dependencies.
 *
 * Install: `npm install @mastervideo/core @mastervideo/adapter-sqlite @mastervideo/adapter-ffmpeg`
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
 * const job = await mv.create({ projectId: 'p1', name: '003', shots: ['a1.mp4', 'a2.mp4', 'a3.mp4'] })
 * const worker = mv.worker({ concurrency: 2 }).start()
 * mv.on('progress', (e) => console.log(e.id, Math.round(e.progress * 100), '%'))
 * await mv.waitFor(job.id)
 * await worker.stop()
 * ```
 *
 * @packageDocumentation
 */
export {
  type AssetContext,
  type AssetResolveFunction,
  type AssetResolver,
  toAssetResolver,
} from './assets/asset-resolver.js'
export { directoryAssets } from './assets/directory-assets.js'
export {
  AssetNotFoundError,
  CanceledError,
  ERROR_CODES,
  type ErrorCode,
  IllegalTransitionError,
  InputInvalidError,
  isErrorCode,
  isMasterVideoError,
  isRetryableCode,
  LeaseLostError,
  MasterVideoError,
  type MasterVideoErrorOptions,
  NoSpaceError,
  NotFoundError,
  RETRYABLE,
  StorageError,
  TimeoutError,
  type ToMasterVideoErrorOptions,
  TranscodeFailedError,
  toMasterVideoError,
  UnsupportedError,
  ValidationError,
} from './errors.js'
export {
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
  type WebhookEndpoint,
  webhookDispatcher,
} from './notify/webhook-dispatcher.js'
export {
  type WebhookEventType,
  type WebhookNotifier,
  type WebhookNotifierOptions,
  type WebhookPayload,
  webhookNotifier,
} from './notify/webhook-notifier.js'
export {
  newWebhookSecret,
  signWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
} from './notify/webhook-signature.js'
export type { WorkerWebhookOptions } from './notify/worker-webhooks.js'
export type {
  ClaimedDelivery,
  Outbox,
  OutboxClaimOptions,
  OutboxCounts,
  OutboxDelivery,
  OutboxDeliveryStatus,
  OutboxListOptions,
} from './outbox/outbox.js'
export { localOutputStore } from './output/local-output-store.js'
export type { ByteRange, OutputStore, PendingFile, StoredFile } from './output/output-store.js'
export { intervalPoller } from './poller/interval-poller.js'
export type { Poller } from './poller/poller.js'
export { newMasterVideoId } from './record/ids.js'
export { HLS_CONTENT_TYPES, hlsSegmentSec, type LadderKeys, ladderKeys } from './record/ladder-keys.js'
export {
  type AppliedStrategy,
  CONCAT_STRATEGIES,
  type ConcatStrategy,
  type EncodingOptions,
  FINAL_STATUSES,
  type HlsOptions,
  type HlsOutput,
  type HlsVariant,
  type JobError,
  type MasterVideo,
  type MasterVideoOutput,
  type MasterVideoStatus,
  type NewMasterVideo,
  OUTPUT_CONTENT_TYPES,
  type RenditionOutput,
  type RenditionSpec,
  type Shot,
  type ShotInput,
  type SkippedRendition,
  STATUSES,
  type TraceContext,
} from './record/master-video.js'
export { canTransition, type TransitionEvent } from './record/state-machine.js'
export {
  LIMITS,
  validateEncoding,
  validateHls,
  validateLadder,
  validateName,
  validateRenditions,
  validateShots,
  X264_PRESETS,
} from './record/validate.js'
export { memoryRepository } from './repository/memory-repository.js'
export type {
  ClaimOptions,
  CompleteResult,
  CreateResult,
  HeartbeatResult,
  Lease,
  ListOptions,
  ListPage,
  Repository,
} from './repository/repository.js'
export {
  MasterVideoEmitter,
  type MasterVideoEventName,
  type MasterVideoEvents,
  type ProgressEvent,
} from './service/events.js'
export {
  type CreateMasterVideoInput,
  createMasterVideos,
  type ListMasterVideosOptions,
  type MasterVideos,
  type MasterVideosOptions,
  type RetryOptions,
  type ScopeOptions,
} from './service/master-videos.js'
export { errorOfRecord, type WaitForOptions } from './service/wait-for.js'
export type {
  DurationPercentiles,
  MasterVideoStats,
  MediaHours,
  RepositoryStats,
  StatsOptions,
} from './stats/stats.js'
export { type BackoffOptions, backoffDelay } from './support/backoff.js'
export { type Logger, type LogMethod, silentLogger } from './support/logger.js'
export { type AttemptEnd, SPAN_NAMES } from './telemetry/attempt-telemetry.js'
export {
  CORE_METRICS,
  type CoreMetricName,
  HTTP_METRICS,
  type InstrumentKind,
  type MetricDefinition,
} from './telemetry/instruments.js'
export {
  type ObserveQueueOptions,
  observeQueue,
  type QueueSnapshot,
  readQueue,
} from './telemetry/queue-gauges.js'
export {
  type ConcatInput,
  type ConcatRequest,
  type ConcatResult,
  type LadderFile,
  type LadderRendition,
  type LadderRequest,
  type LadderResult,
  type LadderVariant,
  type MediaStreamInfo,
  POSTER_DEFAULTS,
  type ProbeResult,
  type ThumbnailOptions,
  type Transcoder,
} from './transcoder/transcoder.js'
export {
  type OrphanSweepOptions,
  orphanVerdict,
  parseOutputKey,
  sweepOrphanOutputs,
} from './worker/orphan-outputs.js'
export { type SweepReport, sweepLeftovers } from './worker/sweep-leftovers.js'
export { Worker, type WorkerOptions } from './worker/worker.js'
