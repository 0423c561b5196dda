/**
 * Test helpers for mastervideo adapters: the conformance suites every
 * repository and transcoder runs, and a transcoder for tests that need no ffmpeg.
 * Requires `vitest` (an optional peer dependency).
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
  type InspectedRecord,
  newJob,
  type RepositoryConformanceOptions,
  repositoryConformance,
} from './repository-conformance.js'
export {
  type TestClip,
  type TestTranscoder,
  type TestTranscoderOptions,
  testTranscoder,
  writeTestClip,
} from './test-transcoder.js'
export { type TranscoderConformanceOptions, transcoderConformance } from './transcoder-conformance.js'
