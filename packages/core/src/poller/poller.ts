/**
 * How a worker learns that there may be work. The worker claims until the
 * repository has nothing due, then sleeps until the poller (or an in-process
 * `create`) wakes it.
 *
 * Obligations: after `start`, an implementation MUST call `wake` again within
 * its interval for as long as it runs (so delayed retries and expired leases
 * are picked up), MAY call it sooner when it knows of new work, and MUST stop
 * calling it once the returned function has been called.
 */
export interface Poller {
  /** Begins waking; returns the function that stops it. */
  start(wake: () => void): () => void
}
