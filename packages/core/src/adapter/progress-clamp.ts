/**
 * A reported progress brought into 0..1, the range a record stores: a
 * transcoder may overshoot at the end or report a negative value at the start.
 *
 * @example
 * ```ts
 * import { clampProgress } from '@mastervideo/core/adapter'
 *
 * clampProgress(1.02) // 1
 * clampProgress(-0.1) // 0
 * ```
 */
export function clampProgress(progress: number): number {
  return Math.min(1, Math.max(0, progress))
}
