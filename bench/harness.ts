/** One figure a benchmark measured. */
export interface BenchRow {
  /** What was measured, e.g. `pickup latency p99 (in-process wake-up)`. */
  name: string
  value: number
  unit: string
  /** The same measurement of the reference run side by side (raw ffmpeg, `send`, nginx, ...). */
  reference?: { name: string; value: number }
  /** Whether a bigger value is better (throughput) or worse (latency). Default false. */
  higherIsBetter?: boolean
  /** What the issue asks of this figure, in words (`>= 1.0x send`). */
  goal?: string
}

/** A benchmark module: `packages/<pkg>/bench/<name>.bench.ts` default-exports one. */
export type Bench = () => Promise<BenchRow[]>

/** Percentile of a sample (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

function format(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Math.abs(value) >= 100) return value.toFixed(0)
  if (Math.abs(value) >= 1) return value.toFixed(2)
  return value.toPrecision(3)
}

/** Prints rows as a Markdown table (pasteable into docs/benchmarks.md). */
export function printTable(title: string, rows: BenchRow[]): void {
  console.log(`\n### ${title}\n`)
  console.log('| measurement | value | reference | ratio | goal |')
  console.log('|---|---:|---|---:|---|')
  for (const row of rows) {
    const ref = row.reference ? `${row.reference.name}: ${format(row.reference.value)} ${row.unit}` : ''
    const ratio =
      row.reference && row.reference.value !== 0 ? `${format(row.value / row.reference.value)}x` : ''
    console.log(`| ${row.name} | ${format(row.value)} ${row.unit} | ${ref} | ${ratio} | ${row.goal ?? ''} |`)
  }
}
