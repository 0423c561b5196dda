import { describe, expect, it } from 'vitest'
import type { Repository } from '../repository/repository.js'
import { type ClaimWorkersOptions, startClaimWorkers } from './claim-workers.js'
import { newJob } from './repository-suite.js'

/** Options of {@link multiProcessClaimConformance}. */
export interface MultiProcessClaimConformanceOptions extends Omit<ClaimWorkersOptions, 'args'> {
  /** Shown in the test name. */
  name?: string
  /**
   * Opens this process's repository on fresh shared storage, and returns the
   * `args` with which each child's `createRepository(args)` opens the same storage.
   */
  create: () => { repository: Repository; args: unknown } | Promise<{ repository: Repository; args: unknown }>
  /** Called after the test with this process's repository (default: `close()`). */
  cleanup?: (repository: Repository) => void | Promise<void>
  /** How many jobs the processes race for. Default 200. */
  jobs?: number
  /** How long the processes may take to finish every job, in ms. Default 60000. */
  timeoutMs?: number
}

/**
 * Registers a vitest test of the `claim` obligation across OS processes: it
 * creates `jobs` jobs, starts `processes` processes that each open their own
 * repository on the same storage (see {@link startClaimWorkers} for the
 * module they import), releases them at once, and checks that every job was
 * claimed exactly once, completed on its first attempt, that no call threw,
 * and that more than one process took part.
 *
 * @example
 * ```ts
 * import { multiProcessClaimConformance } from '@mastervideo/core/testing'
 * import { sqliteRepository } from '@mastervideo/adapter-sqlite'
 *
 * // claim-repository.ts: export const createRepository = ({ filename }) => sqliteRepository({ filename })
 * multiProcessClaimConformance({
 *   name: 'sqlite',
 *   module: new URL('./claim-repository.ts', import.meta.url),
 *   create: () => ({ repository: sqliteRepository({ filename: '/tmp/race.sqlite' }), args: { filename: '/tmp/race.sqlite' } }),
 * })
 * ```
 */
export function multiProcessClaimConformance(options: MultiProcessClaimConformanceOptions): void {
  const processes = options.processes ?? 4
  const jobs = options.jobs ?? 200
  const timeoutMs = options.timeoutMs ?? 60_000

  describe(`multi-process claim conformance: ${options.name ?? 'repository'}`, () => {
    it(
      `${processes} processes claim ${jobs} jobs: each exactly once, on the first attempt, no call failing`,
      async () => {
        const { repository, args } = await options.create()
        try {
          const ids = new Set<string>()
          for (let i = 0; i < jobs; i++)
            ids.add((await repository.create(newJob({ name: `job ${i}` }))).record.id)

          const workers = await startClaimWorkers({ ...options, args })
          try {
            workers.go()
            await workers.waitForCompleted(ids, timeoutMs)
          } finally {
            await workers.stop()
          }

          expect(workers.errors).toEqual([])
          const claimed = workers.claims.map((c) => c.id)
          expect(claimed).toHaveLength(jobs)
          expect(new Set(claimed)).toEqual(ids)
          if (processes > 1 && jobs >= processes * 10) {
            // The claims really raced: not one process doing everything.
            expect(new Set(workers.claims.map((c) => c.workerId)).size).toBeGreaterThan(1)
          }
          for (const id of ids) {
            expect(await repository.get(id)).toMatchObject({
              status: 'completed',
              attempts: 1,
              leaseToken: null,
            })
          }
        } finally {
          await (options.cleanup ? options.cleanup(repository) : repository.close?.())
        }
      },
      timeoutMs + 30_000,
    )
  })
}
