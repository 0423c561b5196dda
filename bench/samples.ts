/** A figure measured over one or more rounds: its median and its spread, never the best run. */
export interface Measured {
  /** Median of the rounds (the mean of the two middle ones for an even count). */
  median: number
  /** Smallest round. */
  min: number
  /** Largest round. */
  max: number
  /** How many rounds. */
  n: number
}

/**
 * Median and spread of `values`.
 *
 * @example
 * ```ts
 * measured([3, 1, 2]) // { median: 2, min: 1, max: 3, n: 3 }
 * ```
 */
export function measured(values: number[]): Measured {
  if (values.length === 0) throw new Error('no samples to summarize')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, n: sorted.length }
}

/**
 * Percentile of a sample (nearest rank).
 *
 * @example
 * ```ts
 * percentile([5, 1, 9, 3], 50) // 3
 * ```
 */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank] as number
}

/**
 * Runs `variants` in interleaved rounds, the order reversed every other round
 * (A B, B A, A B, ...), so a change of load on a shared machine hits every
 * variant alike. Each variant returns its figure for the round; the result is
 * every variant's samples, in round order.
 *
 * @example
 * ```ts
 * const { sdk, raw } = await interleaved(ctx.rounds, { sdk: () => timed(runSdk), raw: () => timed(runRaw) })
 * ```
 */
export async function interleaved<K extends string>(
  rounds: number,
  variants: Record<K, () => Promise<number>>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(variants) as K[]
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse()
    for (const name of order) samples[name].push(await variants[name]())
  }
  return samples
}

/**
 * Milliseconds `run` takes.
 *
 * @example
 * ```ts
 * const ms = await timed(() => execa('ffmpeg', args))
 * ```
 */
export async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await run()
  return performance.now() - t0
}
