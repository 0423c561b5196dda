// What a bench file imports: the row type and goals, the sample helpers and
// the context a run hands every bench. The harness decides every verdict.
import type { BenchRow } from './row.js'

export {
  atLeast,
  atMost,
  type BenchRow,
  type Better,
  equals,
  type Goal,
  ratioAtLeast,
  ratioAtMost,
  type Verdict,
  verdictOf,
} from './row.js'
export { interleaved, type Measured, measured, percentile, timed } from './samples.js'

/** How a run wants a bench to run. */
export interface BenchContext {
  /** Tiny sizes and one round: proves the bench still runs (`--quick`, and the test suite). */
  quick: boolean
  /** Interleaved rounds for each comparison: 1 in quick mode, {@link FULL_ROUNDS} otherwise. */
  rounds: number
}

/** Rounds of a full run: at least 5 for timings. */
export const FULL_ROUNDS = 5

/** The context of a run. */
export const benchContext = (quick: boolean): BenchContext => ({ quick, rounds: quick ? 1 : FULL_ROUNDS })

/** A benchmark module: `packages/<pkg>/bench/<name>.bench.ts` default-exports one. */
export type Bench = (ctx: BenchContext) => Promise<BenchRow[]>

/**
 * Peak RSS growth (MB, 10^6 bytes) of this process while `run` runs, sampled every 2 ms,
 * after a full collection: the bench script runs Node with `--expose-gc`, and
 * without it this throws rather than measure over an uncollected heap.
 */
export async function peakRssGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (!gc) throw new Error('RSS rows need node --expose-gc (npm run bench passes it)')
  gc()
  const base = process.memoryUsage.rss()
  let peak = base
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 2)
  try {
    const result = await run()
    return { result, growthMb: (Math.max(peak, process.memoryUsage.rss()) - base) / 1e6 }
  } finally {
    clearInterval(timer)
  }
}
