import { createHook } from 'node:async_hooks'

/** What {@link trackResources} reports. */
export interface ResourceWatch<T = unknown> {
  /** What the watched function returned. */
  result: T
  /**
   * The kinds of the resources it created that are still alive and hold
   * something: a ref'd timer or socket (which keeps the process running), or
   * an open file handle.
   */
  held(): string[]
  /**
   * Stops adopting new descendants; those known are still followed. Call it
   * once the watched promise has settled: the code after an `await` on it
   * descends from it too, and its timers are the test's, not the adapter's.
   */
  freeze(): void
  /** Stops watching. */
  dispose(): void
}

/**
 * Watches every async resource (timer, socket, file handle) that `run`
 * creates, directly or through what it set off (a connection opened by a
 * promise it started), until `dispose`. Following descendants, rather than
 * counting the process's handles, keeps the test runner's own timers and
 * files out of the picture.
 */
export function trackResources<T>(run: () => T): ResourceWatch<T> {
  const family = new Set<number>()
  const alive = new Map<number, { type: string; resource: { hasRef?: () => boolean } }>()
  let capturing = true
  let frozen = false
  const hook = createHook({
    init(id, type, trigger, resource) {
      if (frozen || (!capturing && !family.has(trigger))) return
      family.add(id)
      // Promises are collected, never destroyed; the DNS channel is one per process.
      if (type !== 'PROMISE' && type !== 'DNSCHANNEL') alive.set(id, { type, resource: resource as never })
    },
    destroy(id) {
      alive.delete(id)
    },
  }).enable()
  let result: T
  try {
    result = run()
  } finally {
    capturing = false
  }
  return {
    result,
    held: () =>
      [...alive.values()]
        .filter(({ type, resource }) =>
          type === 'FILEHANDLE' ? true : typeof resource.hasRef === 'function' ? resource.hasRef() : false,
        )
        .map(({ type }) => type),
    freeze: () => {
      frozen = true
    },
    dispose: () => hook.disable(),
  }
}
