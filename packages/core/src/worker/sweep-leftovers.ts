import type { OutputStore } from '../output/output-store.js'
import type { Repository } from '../repository/repository.js'
import type { Logger } from '../support/logger.js'
import type { Transcoder } from '../transcoder/transcoder.js'
import { sweepLadderScratch } from './ladder-scratch.js'
import { sweepOrphanOutputs } from './orphan-outputs.js'

/** What {@link sweepLeftovers} removed, by where it was. */
export interface SweepReport {
  /** Names removed from the output store (temporary and partial files). */
  output: string[]
  /** What the transcoder removed (its scratch folders). */
  transcoder: string[]
  /** Committed files no job names (a worker killed between commit and `complete`). */
  orphans: string[]
}

/**
 * Removes what crashed runs left behind, older than `olderThanMs`: the output
 * store's temporary and partial files (`OutputStore.sweep`) and the
 * transcoder's scratch folders (`Transcoder.sweep`), when they offer a sweep,
 * and, given the `repository`, committed files no job names (see
 * `sweepOrphanOutputs`), looked for up to `orphanWindowMs` back.
 * Logs what it removed; a failing sweep is logged and never thrown, since it
 * must not keep a worker from starting.
 *
 * @example
 * ```ts
 * import { sweepLeftovers } from '@mastervideo/core'
 * import type { OutputStore, Transcoder } from '@mastervideo/core'
 *
 * declare const output: OutputStore
 * declare const transcoder: Transcoder
 * const report = await sweepLeftovers({ output, transcoder, olderThanMs: 60 * 60_000 })
 * console.log(report.output.length + report.transcoder.length, 'leftovers removed')
 * ```
 */
export async function sweepLeftovers(options: {
  output: OutputStore
  transcoder: Transcoder
  olderThanMs: number
  logger?: Logger
  /** Reads each candidate orphan's job; without it, committed files are left alone. */
  repository?: Pick<Repository, 'get'>
  /** How far back, past `olderThanMs`, committed files are checked. Default 7 days; 0 skips. */
  orphanWindowMs?: number
}): Promise<SweepReport> {
  const { output, transcoder, olderThanMs, logger, repository } = options
  const report: SweepReport = { output: [], transcoder: [], orphans: [] }
  const run = async (where: keyof SweepReport, sweep: ((ms: number) => Promise<string[]>) | undefined) => {
    if (!sweep) return
    try {
      report[where] = await sweep(olderThanMs)
      if (report[where].length > 0) {
        logger?.info(
          { removed: report[where], olderThanMs },
          `mastervideo removed ${report[where].length} leftovers of crashed runs (${where})`,
        )
      }
    } catch (error) {
      logger?.warn({ err: error }, `mastervideo could not sweep leftovers (${where})`)
    }
  }
  await run('output', output.sweep?.bind(output))
  await run('transcoder', transcoder.sweep?.bind(transcoder))
  // The worker's own ladder scratch folders (a master downloaded from S3, uncommitted renditions).
  const ladders = await sweepLadderScratch(olderThanMs).catch(() => [] as string[])
  if (ladders.length > 0) {
    logger?.info(
      { removed: ladders, olderThanMs },
      `mastervideo removed ${ladders.length} ladder scratch folders`,
    )
    report.transcoder.push(...ladders)
  }
  const windowMs = options.orphanWindowMs ?? 7 * 24 * 60 * 60_000
  if (repository && windowMs > 0) {
    try {
      report.orphans = await sweepOrphanOutputs({ output, repository, olderThanMs, windowMs, logger })
    } catch (error) {
      logger?.warn({ err: error }, 'mastervideo could not sweep unnamed committed files')
    }
  }
  return report
}
