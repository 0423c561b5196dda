import type { Poller } from './poller.js'

/**
 * A {@link Poller} that wakes the worker every `intervalMs` (default 1000).
 * Cheap with an indexed claim; the in-process wake-up makes jobs created by
 * the same service start at once regardless of the interval.
 *
 * @example
 * ```ts
 * import { intervalPoller } from '@mastervideo/core'
 *
 * const poller = intervalPoller(250)
 * const stop = poller.start(() => console.log('look for work'))
 * stop()
 * ```
 */
export function intervalPoller(intervalMs = 1000): Poller {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw new RangeError(`intervalPoller needs a positive interval, got ${intervalMs}`)
  }
  return {
    start(wake) {
      const timer = setInterval(wake, intervalMs)
      return () => clearInterval(timer)
    },
  }
}
