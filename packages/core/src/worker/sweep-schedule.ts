import type { OutputStore } from '../output/output-store.js'
import type { Repository } from '../repository/repository.js'
import type { Logger } from '../support/logger.js'
import type { Transcoder } from '../transcoder/transcoder.js'
import { sweepLeftovers } from './sweep-leftovers.js'

/** What {@link scheduleSweeps} needs. */
export interface SweepScheduleOptions {
  output: OutputStore
  transcoder: Transcoder
  repository: Pick<Repository, 'get'>
  logger: Logger
  /** Leftovers younger than this are left alone; also the interval between sweeps. */
  olderThanMs: number
  /** How far back the first sweep looks for committed files no job names. */
  orphanWindowMs: number | undefined
}

/**
 * Sweeps leftovers when a worker starts, then again every `olderThanMs` while
 * it runs: a worker that runs for months still removes what a crashed
 * neighbour left. The first sweep checks the whole orphan window; later ones
 * only the files that aged past `olderThanMs` since the previous sweep (with
 * one interval of overlap), so each job is read about twice in its life.
 *
 * @returns stops the schedule (a sweep in flight finishes on its own).
 */
export function scheduleSweeps(options: SweepScheduleOptions): () => void {
  const { olderThanMs, orphanWindowMs } = options
  const sweep = (windowMs: number | undefined) =>
    void sweepLeftovers({ ...options, olderThanMs, orphanWindowMs: windowMs })
  sweep(orphanWindowMs)
  const later =
    orphanWindowMs === 0 ? 0 : Math.min(2 * olderThanMs, orphanWindowMs ?? Number.POSITIVE_INFINITY)
  const timer = setInterval(() => sweep(later), olderThanMs)
  // A sweep schedule alone never keeps a process alive.
  timer.unref()
  return () => clearInterval(timer)
}
