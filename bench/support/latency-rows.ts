// The p50 and p99 rows of a latency, as the core, SQLite and PostgreSQL
// benches report them: p50 for information, p99 against the goal.
import type { BenchRow, Goal } from '../row.js'
import type { Measured } from '../samples.js'

/** A latency measured per round, and what its p99 must reach. */
export interface LatencyRowsSpec {
  /** The row's name for percentile `p`. */
  name: (p: 50 | 99) => string
  /** The subject's median over the rounds of percentile `p`. */
  subject: (p: 50 | 99) => Measured
  /** The reference, measured in the same rounds. */
  reference: { name: string; value: (p: 50 | 99) => Measured }
  /** The p99 row's goal (a value in ms, for a latency). */
  goal: Goal
  /** The p99 row's reason when it misses: the gap and what would close it. */
  why: string
  /** Which rows belong in the headline table. */
  headline: 'p99' | 'both'
}

/**
 * The p50 row (report only) and the p99 row (the goal) of one latency, in ms, lower is better.
 *
 * @example
 * ```ts
 * latencyRows({ name: (p) => `pickup p${p}`, subject: (p) => at(ours, p), reference: { name: 'poll', value: (p) => at(polled, p) },
 *   goal: atMost(20), why: '...', headline: 'p99' })
 * ```
 */
export function latencyRows(spec: LatencyRowsSpec): BenchRow[] {
  return ([50, 99] as const).map((p) => ({
    name: spec.name(p),
    unit: 'ms',
    subject: spec.subject(p),
    reference: { name: spec.reference.name, value: spec.reference.value(p) },
    better: 'lower',
    ...(p === 99 ? { goal: spec.goal, why: spec.why } : { goal: 'report' }),
    headline: p === 99 || spec.headline === 'both',
  }))
}
