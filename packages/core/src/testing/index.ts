/**
 * Test helpers for mastervideo adapters: a conformance suite for every port
 * (repository, output store, poller, transcoder, asset resolver), a multi-process claim
 * harness, and a transcoder for tests that need no ffmpeg. ESM only; the
 * suites require `vitest` (an optional peer dependency).
 *
 * @example
 * ```ts
 * import { repositoryConformance } from '@mastervideo/core/testing'
 * import { memoryRepository } from '@mastervideo/core'
 *
 * repositoryConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 *
 * @packageDocumentation
 */
export {
  type AssetResolverConformanceOptions,
  type AssetResolverFixture,
  assetResolverConformance,
} from './asset-resolver-conformance.js'
export {
  type ClaimReport,
  type ClaimWorkerError,
  type ClaimWorkers,
  type ClaimWorkersOptions,
  startClaimWorkers,
} from './claim-workers.js'
export {
  type MultiProcessClaimConformanceOptions,
  multiProcessClaimConformance,
} from './multi-process-claim-conformance.js'
export { outboxConformance } from './outbox-suite.js'
export { type OutputStoreConformanceOptions, outputStoreConformance } from './output-store-conformance.js'
export { type PollerConformanceOptions, pollerConformance } from './poller-conformance.js'
export { repositoryCheckpointConformance } from './repository-checkpoint-suite.js'
export { repositoryClaimConformance } from './repository-claim-suite.js'
export { repositoryConformance } from './repository-conformance.js'
export { repositoryCreateConformance } from './repository-create-suite.js'
export { repositoryHeartbeatConformance } from './repository-heartbeat-suite.js'
export { repositoryListConformance } from './repository-list-suite.js'
export { repositoryRoundTripConformance } from './repository-round-trip-suite.js'
export { repositoryStatsConformance } from './repository-stats-suite.js'
export {
  type InspectedRecord,
  newJob,
  type RepositoryConformanceOptions,
  type StampedTimes,
} from './repository-suite.js'
export { repositoryTransitionConformance } from './repository-transition-suite.js'
export {
  type TestClip,
  type TestTranscoder,
  type TestTranscoderOptions,
  testTranscoder,
  writeTestClip,
} from './test-transcoder.js'
export { type TranscoderConformanceOptions, transcoderConformance } from './transcoder-conformance.js'
export {
  type TranscoderLadderConformanceOptions,
  transcoderLadderConformance,
} from './transcoder-ladder-suite.js'
