import { type BenchRow, type Goal, verdictOf } from './row.js'
import type { Measured } from './samples.js'

/** A number with 3 significant figures, thousands grouped (`3,157`, `61.8`, `0.0269`). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US')
  return String(Number(value.toPrecision(3)))
}

/** `median unit (min–max, n rounds)`, or just `median unit` for one round. */
export function formatMeasured(m: Measured, unit: string): string {
  const median = `${formatNumber(m.median)}${unit ? ` ${unit}` : ''}`
  return m.n > 1 ? `${median} (${formatNumber(m.min)}–${formatNumber(m.max)}, n=${m.n})` : median
}

/** The goal in words: `≤ 1.05x`, `≥ 2,000 jobs/s`, `= 0 jobs`, `report`. */
export function formatGoal(goal: Goal, unit: string): string {
  if (goal === 'report') return 'report'
  const op = goal.op === '<=' ? '≤' : goal.op === '>=' ? '≥' : '='
  return goal.of === 'ratio'
    ? `${op} ${formatNumber(goal.target)}x`
    : `${op} ${formatNumber(goal.target)} ${unit}`.trim()
}

/** ✔, ✘ (with the row's `why` when it has one) or — for a report-only row. */
export function formatVerdict(row: BenchRow): string {
  const { met } = verdictOf(row)
  if (met === null) return '—'
  if (met) return '✔'
  return row.why ? `✘ ${row.why}` : '✘'
}

/** Header of {@link tableLines}' tables. */
export const TABLE_HEAD = [
  '| measurement | median (min–max, rounds) | reference (same rounds) | ratio | goal | verdict |',
  '|---|---:|---|---:|---|---|',
]

/** One Markdown table line of a row, its ratio and verdict computed here. */
export function rowLine(row: BenchRow): string {
  const { ratio } = verdictOf(row)
  const reference = row.reference
    ? `${row.reference.name}: ${formatMeasured(row.reference.value, row.unit)}`
    : ''
  const cells = [
    row.name,
    formatMeasured(row.subject, row.unit),
    reference,
    ratio === undefined ? '' : `${formatNumber(ratio)}x`,
    formatGoal(row.goal, row.unit),
    formatVerdict(row),
  ]
  return `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`
}

/** A Markdown table of `rows`. */
export function tableLines(rows: BenchRow[]): string[] {
  return [...TABLE_HEAD, ...rows.map(rowLine)]
}
