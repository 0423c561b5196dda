import { existsSync } from 'node:fs'
import type { Poller } from '@mastervideo/core'
import { invalidOption, storageFailure } from './errors.js'
import { openDatabase, type SqliteDatabase, type SqliteStatement } from './sqlite-database.js'

/**
 * Options of {@link sqlitePoller}: the connection to watch, and how often.
 *
 * @example
 * ```ts
 * import { sqlitePoller } from '@mastervideo/adapter-sqlite'
 *
 * const poller = sqlitePoller({ filename: 'data/mastervideo.sqlite', intervalMs: 100, fullWakeEvery: 20 })
 * ```
 */
export type SqlitePollerOptions = ({ database: SqliteDatabase } | { filename: string }) & {
  /** How often to look at `PRAGMA data_version`, in ms. Default 250. */
  intervalMs?: number
  /**
   * Wake regardless of writes at least every this many intervals, so delayed
   * retries (`runAt` in the future) and expired leases, which no write
   * announces, are found. Default 10 (with the default interval: every 2.5 s).
   */
  fullWakeEvery?: number
}

/**
 * A {@link Poller} for workers in other processes than the one that creates
 * jobs. Every `intervalMs` it reads `PRAGMA data_version`, a counter SQLite
 * bumps when another connection commits to the file; it costs no table read.
 * The worker is woken only when that changed, plus once every
 * `fullWakeEvery` intervals for work that no write announces (delayed
 * retries, expired leases of crashed workers).
 *
 * Pass the repository's own connection (`database: repository.database`),
 * or a `filename`, for which the poller opens its own connection while
 * started. A connection does not see its own writes in `data_version`; jobs
 * created by the same service wake the worker in-process anyway.
 *
 * @example
 * ```ts
 * import { sqlitePoller, sqliteRepository } from '@mastervideo/adapter-sqlite'
 *
 * const repository = sqliteRepository({ filename: 'data/mastervideo.sqlite' })
 * const poller = sqlitePoller({ database: repository.database, intervalMs: 100 })
 * const stop = poller.start(() => console.log('maybe new work'))
 * stop()
 * ```
 */
export function sqlitePoller(options: SqlitePollerOptions): Poller {
  const intervalMs = options.intervalMs ?? 250
  const fullWakeEvery = options.fullWakeEvery ?? 10
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
    throw invalidOption(`intervalMs must be a positive number, got ${intervalMs}`, {
      details: { field: 'intervalMs' },
    })
  }
  if (!Number.isInteger(fullWakeEvery) || fullWakeEvery < 1) {
    throw invalidOption(`fullWakeEvery must be an integer >= 1, got ${fullWakeEvery}`, {
      details: { field: 'fullWakeEvery' },
    })
  }
  const filename = 'filename' in options ? options.filename : undefined
  if (filename !== undefined && !existsSync(filename)) {
    throw storageFailure(`cannot watch ${filename}: no such file (open the repository first)`, {
      details: { file: filename },
    })
  }

  return {
    start(wake) {
      let db: SqliteDatabase | null = null
      let version: SqliteStatement | null = null
      try {
        db =
          filename === undefined
            ? (options as { database: SqliteDatabase }).database
            : openDatabase(filename, { timeout: 50, fileMustExist: true })
        version = db.prepare('PRAGMA data_version')
      } catch {
        // Without a connection, fall back to waking every interval: the
        // worker's claim then reports the repository's own error.
        version = null
      }
      let last: number | null = null
      let ticks = 0
      const read = (): number | null => {
        try {
          return Number(
            (version?.get() as { data_version: number | bigint } | undefined)?.data_version ?? Number.NaN,
          )
        } catch {
          return null
        }
      }
      last = read()
      const timer = setInterval(() => {
        ticks++
        const current = read()
        const changed = current === null || Number.isNaN(current) || current !== last
        last = current
        if (changed || ticks >= fullWakeEvery) {
          ticks = 0
          wake()
        }
      }, intervalMs)
      return () => {
        clearInterval(timer)
        if (filename !== undefined) db?.close()
      }
    },
  }
}
