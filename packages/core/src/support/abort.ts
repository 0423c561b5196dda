import { CanceledError, isMasterVideoError, type MasterVideoError } from '../errors.js'

/**
 * The error an aborted operation rejects with: the signal's reason when it is
 * a mastervideo error (the worker aborts with `CANCELED`, `TIMEOUT` or
 * `LEASE_LOST`, and that code must survive), otherwise a `CANCELED` error
 * with the reason as its cause.
 *
 * @example
 * ```ts
 * import { abortError } from '@mastervideo/core/adapter'
 *
 * const controller = new AbortController()
 * controller.abort()
 * console.log(abortError(controller.signal).code) // 'CANCELED'
 * ```
 */
export function abortError(signal: AbortSignal, options: { origin?: string } = {}): MasterVideoError {
  if (isMasterVideoError(signal.reason)) return signal.reason
  return new CanceledError('The operation was canceled', { cause: signal.reason, origin: options.origin })
}

/**
 * Throws {@link abortError} when `signal` is aborted; does nothing without a
 * signal. Long operations call it between steps, so an abort stops them at
 * the next step boundary.
 *
 * @example
 * ```ts
 * import { throwIfAborted } from '@mastervideo/core/adapter'
 *
 * async function work(signal?: AbortSignal) {
 *   throwIfAborted(signal)
 *   // ... one step ...
 *   throwIfAborted(signal)
 * }
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined, options: { origin?: string } = {}): void {
  if (signal?.aborted) throw abortError(signal, options)
}
