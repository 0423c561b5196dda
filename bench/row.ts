import type { Measured } from './samples.js'

/** Which way a figure is better. */
export type Better = 'lower' | 'higher'

/**
 * What a row must reach. `of: 'ratio'` bounds subject ÷ reference, `of:
 * 'value'` bounds the subject's median itself; `report` has no goal.
 */
export type Goal = 'report' | { of: 'ratio' | 'value'; op: '<=' | '>=' | '=='; target: number }

/** The goal `subject ÷ reference ≤ target`, for a figure where lower is better. */
export const ratioAtMost = (target: number): Goal => ({ of: 'ratio', op: '<=', target })
/** The goal `subject ÷ reference ≥ target`, for a figure where higher is better. */
export const ratioAtLeast = (target: number): Goal => ({ of: 'ratio', op: '>=', target })
/** The goal `subject ≤ target` (in the row's unit). */
export const atMost = (target: number): Goal => ({ of: 'value', op: '<=', target })
/** The goal `subject ≥ target` (in the row's unit). */
export const atLeast = (target: number): Goal => ({ of: 'value', op: '>=', target })
/** The goal `subject = target` exactly (a count of failures: 0). */
export const equals = (target: number): Goal => ({ of: 'value', op: '==', target })

/**
 * One figure a bench measured, with what it is compared against and the goal
 * it must reach. The harness, not the bench, decides the verdict.
 */
export interface BenchRow {
  /** What was measured, e.g. `pickup p99, in-process wake-up`. */
  name: string
  /** Unit of the subject and the reference (`ms`, `jobs/s`, `MB`). */
  unit: string
  /** The figure under test. */
  subject: Measured
  /** The same measurement of the reference, run in the same rounds (raw ffmpeg, `send`, pg-boss). */
  reference?: { name: string; value: Measured }
  /** Whether a lower figure (time, memory) or a higher one (throughput) is better. */
  better: Better
  /** The goal; `report` when the row only reports. */
  goal: Goal
  /** One sentence shown beside a ✘: why it is missed and what would close it. */
  why?: string
  /** Whether the row belongs in the headline table of docs/benchmarks.md. */
  headline?: boolean
}

/** What the harness concludes of a row. */
export interface Verdict {
  /** subject median ÷ reference median, the one ratio convention of every row; absent without a reference. */
  ratio?: number
  /** `true` ✔, `false` ✘, `null` for a report-only row. */
  met: boolean | null
}

/**
 * Decides a row's verdict from its medians. A goal that points against the
 * row's direction (a `>=` bound on a lower-is-better figure) is a bench bug
 * and throws, so a verdict can never reward the wrong direction.
 *
 * @example
 * ```ts
 * verdictOf({ name: 'copy', unit: 'ms', subject: measured([110]), reference: { name: 'raw', value: measured([100]) },
 *   better: 'lower', goal: ratioAtMost(1.05) }) // { ratio: 1.1, met: false }
 * ```
 */
export function verdictOf(row: BenchRow): Verdict {
  const ratio =
    row.reference && row.reference.value.median !== 0
      ? row.subject.median / row.reference.value.median
      : undefined
  if (row.goal === 'report') return { ratio, met: null }
  const { of, op, target } = row.goal
  if ((op === '<=' && row.better === 'higher') || (op === '>=' && row.better === 'lower')) {
    throw new Error(`${row.name}: goal ${op} ${target} points against "${row.better} is better"`)
  }
  const figure = of === 'ratio' ? ratio : row.subject.median
  if (figure === undefined)
    throw new Error(`${row.name}: a ratio goal needs a reference with a non-zero median`)
  const met = op === '<=' ? figure <= target : op === '>=' ? figure >= target : figure === target
  return { ratio, met }
}
