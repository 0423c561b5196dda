import { afterEach, beforeEach, expect } from 'vitest'
import { newLeaseToken, newMasterVideoId } from '../record/ids.js'
import type { MasterVideo, MasterVideoStatus, NewMasterVideo } from '../record/master-video.js'
import type { Lease, Repository } from '../repository/repository.js'

/** What the suite reads straight from storage, bypassing the adapter's own mapping. */
export interface InspectedRecord {
  status: MasterVideoStatus
  attempts: number
  progress: number
  leaseToken: string | null
}

/** The times the stats suite writes through {@link RepositoryConformanceOptions.stamp}; `null` leaves a column as stored. */
export interface StampedTimes {
  createdAt: Date
  startedAt: Date | null
  completedAt: Date | null
}

/** Options of {@link repositoryConformance} and of each suite it runs. */
export interface RepositoryConformanceOptions {
  /** Shown in the test names. */
  name?: string
  /** A fresh, empty repository for each test. */
  create: () => Repository | Promise<Repository>
  /** Called after each test with the repository it used (default: `close()`). */
  cleanup?: (repository: Repository) => void | Promise<void>
  /**
   * The "backdoor": reads a job straight from storage (a raw `SELECT`), so the
   * suite checks what was really stored rather than what the adapter returned.
   */
  inspect?: (repository: Repository, id: string) => Promise<InspectedRecord | null>
  /** The short lease used by the expiry tests, in ms. Default 150. */
  leaseMs?: number
  /**
   * A backdoor write of a job's times (a raw `UPDATE`), for a repository
   * that takes them from its own clock (the database's) rather than
   * JavaScript's `Date`: the stats suite sets exact times through it. Without
   * it, the stats suite sets JavaScript's clock before each call instead.
   */
  stamp?: (repository: Repository, id: string, times: StampedTimes) => Promise<void>
}

/**
 * A valid {@link NewMasterVideo} with a unique id, due at once; override any field.
 *
 * @example
 * ```ts
 * import { memoryRepository } from '@mastervideo/core'
 * import { newJob } from '@mastervideo/core/testing'
 *
 * const { record } = await memoryRepository().create(newJob({ name: 'intro' }))
 * ```
 */
export function newJob(overrides: Partial<NewMasterVideo> = {}): NewMasterVideo {
  return {
    id: newMasterVideoId(),
    projectId: 'project-1',
    name: 'master',
    shots: [{ assetId: 'a.mp4' }, { assetId: 'b.mp4', trimStart: 0.5, trimEnd: 1.5 }],
    maxAttempts: 3,
    encoding: {},
    idempotencyKey: null,
    runAt: new Date(Date.now() - 1),
    ...overrides,
  }
}

/** A finished output, as a worker passes it to `complete`. */
export const sampleOutput = {
  key: 'k.mp4',
  size: 10,
  durationSec: 2,
  width: 320,
  height: 240,
  strategy: 'copy' as const,
}

/** What each test of a repository suite works with. */
export interface RepositoryTestContext {
  /** The repository of the running test. */
  readonly repository: Repository
  /** The short lease of the expiry tests, in ms. */
  readonly leaseMs: number
  /** Claims a job, failing the test when none is due. */
  claimOne(workerId?: string, leaseMs?: number): Promise<{ record: MasterVideo; lease: Lease }>
  /** The stored state of a job: through `inspect` when given, else through `get`. */
  stored(id: string): Promise<InspectedRecord | null>
}

/** The suite title: the concern, then the implementation's name. */
export function suiteTitle(concern: string, options: RepositoryConformanceOptions): string {
  return `repository ${concern}: ${options.name ?? 'repository'}`
}

/**
 * Opens a fresh repository before each test of the enclosing `describe` and
 * cleans it up after, so every suite can run on its own.
 */
export function useRepository(options: RepositoryConformanceOptions): RepositoryTestContext {
  let current: Repository | undefined
  beforeEach(async () => {
    current = await options.create()
  })
  afterEach(async () => {
    const used = current
    current = undefined
    if (used) await (options.cleanup ? options.cleanup(used) : used.close?.())
  })

  const context: RepositoryTestContext = {
    get repository(): Repository {
      if (!current) throw new Error('the repository exists only while a test runs')
      return current
    },
    leaseMs: options.leaseMs ?? 150,
    async claimOne(workerId = 'w1', leaseMs = 30_000) {
      const claimed = await context.repository.claim({ workerId, leaseToken: newLeaseToken(), leaseMs })
      expect(claimed, 'expected a job to be claimed').not.toBeNull()
      return claimed as { record: MasterVideo; lease: Lease }
    },
    async stored(id) {
      if (options.inspect) return options.inspect(context.repository, id)
      const record = await context.repository.get(id)
      return (
        record && {
          status: record.status,
          attempts: record.attempts,
          progress: record.progress,
          leaseToken: record.leaseToken,
        }
      )
    },
  }
  return context
}
