/** How long a retryable failure waits before its next attempt. */
export interface BackoffOptions {
  /** The first wait, in ms. Default 1000. */
  baseMs?: number
  /** The longest wait, in ms. Default 60000. */
  maxMs?: number
}

/**
 * Exponential backoff with "equal jitter": after the n-th failed attempt the
 * wait is between half and all of `min(maxMs, baseMs * 2^(n-1))`, so workers
 * that failed together do not retry in lock step.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random = Math.random): number {
  const base = options.baseMs ?? 1000
  const max = options.maxMs ?? 60_000
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}
