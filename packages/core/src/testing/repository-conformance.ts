import { repositoryCheckpointConformance } from './repository-checkpoint-suite.js'
import { repositoryClaimConformance } from './repository-claim-suite.js'
import { repositoryCreateConformance } from './repository-create-suite.js'
import { repositoryHeartbeatConformance } from './repository-heartbeat-suite.js'
import { repositoryListConformance } from './repository-list-suite.js'
import { repositoryRoundTripConformance } from './repository-round-trip-suite.js'
import { repositoryStatsConformance } from './repository-stats-suite.js'
import type { RepositoryConformanceOptions } from './repository-suite.js'
import { repositoryTransitionConformance } from './repository-transition-suite.js'

// Core's own unit tests import these from here.
export { type InspectedRecord, newJob, type RepositoryConformanceOptions } from './repository-suite.js'

/**
 * Registers vitest tests that check a `Repository` keeps every
 * obligation of the interface, one suite per concern: create (and
 * idempotency), round trip (strings, dates, copies), list (newest-first
 * pagination), claim (exactly once under concurrency, lease expiry and
 * fencing), heartbeat, transitions (each write and each refusal), and the
 * checkpoint and renditions of a job with a ladder, and the optional
 * stats (skipped for a repository without them). Each
 * suite is exported on its own too (`repositoryClaimConformance`, ...), to
 * run one while working on it. Run it from the adapter's own test file.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { repositoryConformance } from '@mastervideo/core/testing'
 *
 * repositoryConformance({ name: 'memory', create: () => memoryRepository() })
 * ```
 */
export function repositoryConformance(options: RepositoryConformanceOptions): void {
  repositoryCreateConformance(options)
  repositoryRoundTripConformance(options)
  repositoryListConformance(options)
  repositoryClaimConformance(options)
  repositoryHeartbeatConformance(options)
  repositoryTransitionConformance(options)
  repositoryStatsConformance(options)
  repositoryCheckpointConformance(options)
}
