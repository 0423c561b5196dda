/**
 * `@mastervideo/core/adapter`: the toolkit for writing a mastervideo adapter
 * (a repository, an output store, an asset resolver). A host application
 * never needs it; it imports `@mastervideo/core`.
 *
 * What is here: the transition table and the pure functions that compute a
 * record after each event, the record's initial state, the columns of a SQL
 * jobs table with their codecs and the compare-and-set every transition
 * writes, the list cursor helpers, and the naming rules of output files.
 * Prove an adapter with the suites of `@mastervideo/core/testing`.
 *
 * @example
 * ```ts
 * import { applyTransition, initialRecord } from '@mastervideo/core/adapter'
 *
 * const now = new Date()
 * const record = initialRecord(
 *   { id: 'master_1_abcdefgh', projectId: 'p1', name: '003', shots: [{ assetId: 'a.mp4' }], maxAttempts: 3, encoding: {}, idempotencyKey: null },
 *   now,
 * )
 * const canceled = applyTransition(record, 'cancel', {}, now)
 * ```
 *
 * @packageDocumentation
 */

export {
  type InsideRootResult,
  type ResolveInsideRootOptions,
  resolveInsideRoot,
} from '../assets/resolve-inside-root.js'
export { withoutPaths } from '../errors.js'
export {
  reportedWebhookEvent,
  type WebhookEvent,
  webhookEventFor,
  webhookEventId,
  webhookPayload,
} from '../notify/webhook-payload.js'
export { TEMP_PREFIX } from '../output/local-output-store.js'
export { namedKeys } from '../output/named-keys.js'
export { newLeaseToken } from '../record/ids.js'
export {
  applyTransition,
  canTransition,
  initialRecord,
  TRANSITIONS,
  type TransitionData,
  type TransitionEvent,
  transition,
} from '../record/state-machine.js'
export { clampLimit, decodeCursor, encodeCursor, type ListCursor, toPage } from '../repository/cursor.js'
export { abortError, throwIfAborted } from '../support/abort.js'
export { type MetricRecorder, metricRecorder } from '../telemetry/meter.js'
export {
  annotateActiveSpan,
  type SpanAttributes,
  type SpanHandle,
  type WithSpanOptions,
  withSpan,
} from '../telemetry/with-span.js'
export { outputKeys } from '../worker/run-job.js'
export { type ErrorFactory, type OriginErrors, originErrors } from './origin-errors.js'
export { clampProgress } from './progress-clamp.js'
export {
  type ColumnKind,
  type ColumnName,
  RECORD_COLUMNS,
  type RecordColumn,
  TRANSITION_COLUMNS,
} from './record-columns.js'
export { type RecordRow, type RowCodec, type RowDialect, rowCodec } from './row-codec.js'
export {
  completionLanded,
  type TransitionMethods,
  type TransitionRequest,
  type TransitionWrite,
  transitionLanded,
  transitionMethods,
  transitionRequests,
  transitionWrite,
} from './transition-write.js'
