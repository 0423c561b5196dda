/**
 * How a worker learns that there may be work. The worker claims until the
 * repository has nothing due, then sleeps until the poller (or an in-process
 * `create`) wakes it.
 *
 * Obligations: after `start`, an implementation MUST call `wake` at a
 * bounded, documented interval for as long as it runs, even when it saw no
 * write (so delayed retries and expired leases, which no write announces, are
 * picked up); it MAY call it sooner when it knows of new work (a changed
 * `PRAGMA data_version`, a NOTIFY); it MUST stop calling it once the returned
 * function has been called.
 */
export interface Poller {
  /** Begins waking; returns the function that stops it. */
  start(wake: () => void): () => void
}
