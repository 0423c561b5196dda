import { TimeoutError } from '../errors.js'

/**
 * Runs `call`, but rejects with a retryable `TIMEOUT` if it has not settled
 * within `limitMs`: a database that stopped answering (a network partition
 * leaves a query hanging for as long as the OS keeps the connection) must not
 * hold a worker. The call itself runs on; a late answer is ignored, which is
 * safe because every write under a lease is a compare-and-set.
 *
 * @example
 * ```ts
 * const record = await boundedCall('complete', 30_000, () => repository.complete(lease, outcome))
 * ```
 */
export function boundedCall<T>(what: string, limitMs: number, call: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeoutError(`The repository did not answer ${what} within ${limitMs} ms`)),
      limitMs,
    )
  })
  let running: Promise<T>
  try {
    running = call()
  } catch (error) {
    clearTimeout(timer)
    return Promise.reject(error)
  }
  // A late rejection has no one left to hear it.
  running.catch(() => {})
  return Promise.race([running, limit]).finally(() => clearTimeout(timer))
}

/** Resolves `true` when `promise` settles within `ms`, `false` otherwise; never rejects. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, ms))
    }),
  ]).finally(() => clearTimeout(timer))
}
