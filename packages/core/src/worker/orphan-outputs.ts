import { namedKeys } from '../output/named-keys.js'
import type { OutputStore, StoredFile } from '../output/output-store.js'
import type { MasterVideo } from '../record/master-video.js'
import type { Repository } from '../repository/repository.js'
import type { Logger } from '../support/logger.js'

/**
 * The job and attempt an output key belongs to: every key a worker writes
 * starts with `<job id>_<attempt start, ms>` (see `outputKeys`), then `.` or
 * `_` and the rest. The last 13-digit group wins, so ids that hold digits of
 * their own parse too.
 */
const OUTPUT_KEY = /^(.+)_(\d{13})(?:[._].*)?$/

/** The job ids `newMasterVideoId` makes: a file of a missing job with such an id is ours to remove. */
const GENERATED_ID = /^master_\d+_[a-z0-9]{8}$/

/** How much a worker's clock may run behind the database's and still be told apart by time. */
const CLOCK_MARGIN_MS = 5 * 60_000

/** The job id and attempt time of an output key, or `null` for a name no worker writes. */
export function parseOutputKey(key: string): { id: string; writtenAt: number } | null {
  const match = OUTPUT_KEY.exec(key)
  return match ? { id: match[1] as string, writtenAt: Number(match[2]) } : null
}

/**
 * Whether a committed file may be removed, decided from a fresh read of its
 * job. Pure, so the table of cases is tested directly.
 *
 * - Named by the record (master, poster, rendition, HLS file): keep.
 * - Job gone: remove only when the id is one `newMasterVideoId` makes (the
 *   file is a crashed attempt's of a job since deleted); keep a name that may
 *   be a host's own file.
 * - Job running: remove only a file written well before the running attempt
 *   started (an earlier attempt's); the running one may be between its commit
 *   and its `complete`.
 * - Any other status: the attempt that wrote the file ended without naming
 *   it, and its lease is gone, so no write of it can name it later: remove.
 */
export function orphanVerdict(
  key: string,
  writtenAt: number,
  record: MasterVideo | null,
  marginMs = CLOCK_MARGIN_MS,
): 'keep' | 'remove' {
  if (record === null) {
    const parsed = parseOutputKey(key)
    return parsed && GENERATED_ID.test(parsed.id) ? 'remove' : 'keep'
  }
  if (namedKeys(record).has(key)) return 'keep'
  if (record.status === 'processing') {
    const started = record.startedAt?.getTime()
    return started !== undefined && writtenAt < started - marginMs ? 'remove' : 'keep'
  }
  return 'remove'
}

/** Options of {@link sweepOrphanOutputs}. */
export interface OrphanSweepOptions {
  output: OutputStore
  repository: Pick<Repository, 'get'>
  /** Files changed more recently than this are left alone. */
  olderThanMs: number
  /** Files older than `olderThanMs + windowMs` are not looked at (bounds the reads per start). */
  windowMs: number
  logger?: Logger
  /** Jobs read at once. Default 8. */
  concurrency?: number
}

/**
 * Removes committed files that no record names: what a worker killed between
 * its commit and its `complete` leaves behind. Each file's job is read again
 * first and {@link orphanVerdict} decides; a store without `list` is skipped.
 *
 * @returns the removed keys.
 */
export async function sweepOrphanOutputs(options: OrphanSweepOptions): Promise<string[]> {
  const { output, repository, olderThanMs, windowMs, logger } = options
  if (!output.list) return []
  const cutoff = Date.now() - olderThanMs - windowMs
  const byJob = new Map<string, StoredFile[]>()
  for (const file of await output.list(olderThanMs)) {
    const parsed = parseOutputKey(file.key)
    if (!parsed || file.mtimeMs < cutoff) continue
    byJob.set(parsed.id, [...(byJob.get(parsed.id) ?? []), file])
  }
  const removed: string[] = []
  const queue = [...byJob.entries()]
  const next = async (): Promise<void> => {
    for (let entry = queue.shift(); entry; entry = queue.shift()) {
      const [id, files] = entry
      const record = await repository.get(id)
      for (const file of files) {
        const writtenAt = parseOutputKey(file.key)?.writtenAt ?? 0
        if (orphanVerdict(file.key, writtenAt, record) !== 'remove') continue
        await output.delete(file.key)
        removed.push(file.key)
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, next))
  if (removed.length > 0) {
    logger?.info({ removed }, `mastervideo removed ${removed.length} committed files no job names`)
  }
  return removed
}
