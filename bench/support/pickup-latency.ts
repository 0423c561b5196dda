// Pickup latency as the core and PostgreSQL benches measure it: one job at a
// time, from `create` returning to the worker's `processing` event, each
// create landing at a random point of whatever cycle wakes the worker.
import type { MasterVideos } from '@mastervideo/core'

/** What {@link pickupLatencies} measures against. */
export interface PickupRun {
  /** The service whose worker picks the jobs up. */
  runner: Pick<MasterVideos, 'once' | 'waitFor'>
  /** Creates one job (through any service or repository) and returns its id. */
  create: (index: number) => Promise<string>
  /** How many jobs, one after another. */
  jobs: number
  /** Upper bound of the random pause after each job (5 ms are added), so creates land anywhere in a poll cycle. */
  maxGapMs: number
}

/**
 * Milliseconds from each `create` returning to `processing`, for `jobs` jobs
 * run one at a time (each waited for to its end, so the worker is idle when
 * the next one arrives).
 *
 * @example
 * ```ts
 * const ms = await pickupLatencies({ runner: mv, create: async () => (await mv.create(input)).id, jobs: 40, maxGapMs: 100 })
 * ```
 */
export async function pickupLatencies({ runner, create, jobs, maxGapMs }: PickupRun): Promise<number[]> {
  const latencies: number[] = []
  for (let i = 0; i < jobs; i++) {
    const started = new Promise<number>((resolve) =>
      runner.once('processing', () => resolve(performance.now())),
    )
    const t0 = performance.now()
    const id = await create(i)
    latencies.push((await started) - t0)
    await runner.waitFor(id, { pollMs: 5 })
    await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * maxGapMs))
  }
  return latencies
}
