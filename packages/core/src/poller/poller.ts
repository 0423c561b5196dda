/**
 * How a worker learns that there may be work. The worker claims until the
 * repository has nothing due, then sleeps until the poller (or an in-process
 * `create`) wakes it.
 *
 * Obligations every implementation MUST meet (`pollerConformance()` from
 * `@mastervideo/core/testing` checks them):
 * - After `start`, it MUST call `wake` at least once per bounded, documented
 *   interval for as long as it runs, even when it saw no write, so delayed
 *   retries and expired leases, which no write announces, are picked up.
 * - It MAY call `wake` sooner when it learns of new work (a changed
 *   `PRAGMA data_version`, a NOTIFY).
 * - Once the function `start` returned has been called, it MUST NOT call
 *   `wake` again, and MUST release what it holds for this start (timers,
 *   connections), so a stopped poller keeps no process alive. Calling that
 *   function again MUST be harmless.
 */
export interface Poller {
  /** Begins waking; returns the function that stops it. */
  start(wake: () => void): () => void
}
