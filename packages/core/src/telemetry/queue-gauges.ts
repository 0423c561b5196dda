import type { Repository } from '../repository/repository.js'
import { addGaugeObserver } from './meter.js'

/** What the queue gauges report, read from the repository. */
export interface QueueSnapshot {
  /** Jobs in `created`, or `null` when unknown. */
  waiting: number | null
  /** Jobs in `processing`, or `null` when unknown. */
  running: number | null
  /** Seconds the oldest due job has waited (`now - runAt`), 0 when none; `null` when unknown. */
  oldestAgeSec: number | null
}

/** Options of {@link observeQueue}. */
export interface ObserveQueueOptions {
  /**
   * The projects to look into for the age of the oldest waiting job
   * (`list` is per project). Without it that gauge is left out.
   */
  projectIds?: () => Promise<readonly string[]> | readonly string[]
  /** Collections closer together than this share one read. Default 5000. */
  ttlMs?: number
  /** Pages of 100 waiting jobs read per project at most. Default 5. */
  maxPages?: number
}

/** The oldest `runAt` among a project's due waiting jobs, reading at most `maxPages` pages (newest first). */
async function oldestDue(repository: Repository, projectId: string, maxPages: number, now: number) {
  let oldest: number | null = null
  let waiting = 0
  let cursor: string | null = null
  for (let page = 0; page < maxPages; page++) {
    const result = await repository.list({ projectId, status: 'created', limit: 100, cursor })
    for (const job of result.items) {
      waiting++
      const due = job.runAt.getTime()
      if (due <= now && (oldest === null || due < oldest)) oldest = due
    }
    cursor = result.nextCursor
    if (!cursor) break
  }
  return { oldest, waiting }
}

/**
 * Reads a {@link QueueSnapshot}: the counts by status from `repository.stats()`
 * when the repository has it, the oldest due job from bounded `list` reads of
 * `options.projectIds` (past `maxPages` pages the age is a lower bound).
 *
 * @example
 * ```ts
 * import { memoryRepository, readQueue } from '@mastervideo/core'
 *
 * const snapshot = await readQueue(memoryRepository(), { projectIds: () => ['p1'] })
 * console.log(snapshot.waiting, snapshot.oldestAgeSec)
 * ```
 */
export async function readQueue(
  repository: Repository,
  options: ObserveQueueOptions = {},
): Promise<QueueSnapshot> {
  const now = Date.now()
  const snapshot: QueueSnapshot = { waiting: null, running: null, oldestAgeSec: null }
  if (repository.stats) {
    const stats = await repository.stats({})
    snapshot.waiting = stats.byStatus.created
    snapshot.running = stats.byStatus.processing
  }
  if (options.projectIds) {
    const maxPages = options.maxPages ?? 5
    let oldest: number | null = null
    let waiting = 0
    for (const projectId of await options.projectIds()) {
      const found = await oldestDue(repository, projectId, maxPages, now)
      waiting += found.waiting
      if (found.oldest !== null && (oldest === null || found.oldest < oldest)) oldest = found.oldest
    }
    snapshot.oldestAgeSec = oldest === null ? 0 : Math.max(0, (now - oldest) / 1000)
    // Without stats, the bounded count is the best known depth.
    snapshot.waiting ??= waiting
  }
  return snapshot
}

// One observation per repository object, however many services share it.
const observed = new Map<Repository, { count: number; stop: () => void }>()

/**
 * Reports `mastervideo.queue.depth` and `mastervideo.queue.oldest_age` from
 * `repository` at each metrics collection, reading it at most once per
 * `ttlMs`. Every process that calls it reports the same queue: query it with
 * `max` across instances. Returns the function that stops it.
 *
 * @example
 * ```ts
 * import { observeQueue } from '@mastervideo/core'
 *
 * const stop = observeQueue(mv.repository, { projectIds: () => ['p1', 'p2'] })
 * // on shutdown
 * stop()
 * ```
 */
export function observeQueue(repository: Repository, options: ObserveQueueOptions = {}): () => void {
  const existing = observed.get(repository)
  if (existing) {
    existing.count++
  } else {
    const ttlMs = options.ttlMs ?? 5000
    let last: { at: number; read: Promise<QueueSnapshot> } | null = null
    const stop = addGaugeObserver(async (observe) => {
      if (!last || performance.now() - last.at >= ttlMs) {
        last = { at: performance.now(), read: readQueue(repository, options) }
        // A failed read is not kept: the next collection reads again.
        last.read.catch(() => {
          last = null
        })
      }
      const snapshot = await last.read
      if (snapshot.waiting !== null)
        observe('mastervideo.queue.depth', snapshot.waiting, { 'mastervideo.job.status': 'created' })
      if (snapshot.running !== null) {
        observe('mastervideo.queue.depth', snapshot.running, { 'mastervideo.job.status': 'processing' })
      }
      if (snapshot.oldestAgeSec !== null) observe('mastervideo.queue.oldest_age', snapshot.oldestAgeSec)
    })
    observed.set(repository, { count: 1, stop })
  }
  let stopped = false
  return () => {
    if (stopped) return
    stopped = true
    const entry = observed.get(repository)
    if (entry && --entry.count === 0) {
      entry.stop()
      observed.delete(repository)
    }
  }
}

/** Busy and total job slots of one worker. */
export interface SlotReading {
  busy: number
  total: number
}

const slotReaders = new Set<() => SlotReading>()
let stopSlots: (() => void) | null = null

/**
 * Counts a worker's slots in `mastervideo.worker.slots` (busy and free,
 * summed over the workers of this process) until the returned function is
 * called.
 */
export function observeWorkerSlots(read: () => SlotReading): () => void {
  slotReaders.add(read)
  stopSlots ??= addGaugeObserver((observe) => {
    let busy = 0
    let total = 0
    for (const reader of slotReaders) {
      const reading = reader()
      busy += reading.busy
      total += reading.total
    }
    observe('mastervideo.worker.slots', busy, { 'mastervideo.slot.state': 'busy' })
    observe('mastervideo.worker.slots', Math.max(0, total - busy), { 'mastervideo.slot.state': 'free' })
  })
  return () => {
    slotReaders.delete(read)
    if (slotReaders.size === 0) {
      stopSlots?.()
      stopSlots = null
    }
  }
}
