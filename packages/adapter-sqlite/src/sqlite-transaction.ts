import { isBusy, storageError } from './errors.js'
import type { SqliteDatabase } from './sqlite-database.js'

/** How long, in total, an operation keeps retrying a busy database before it gives up. */
export interface BusyRetryOptions {
  /** Milliseconds. */
  budgetMs: number
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Runs `fn`, retrying it while SQLite reports the database busy, with
 * exponential backoff and jitter, for at most `budgetMs`. The waits between
 * attempts are timers, not `busy_timeout` sleeps, so they do not block the
 * event loop. Whatever is left is wrapped as `STORAGE`: a raw `SQLITE_BUSY`
 * never reaches the caller.
 */
export async function withBusyRetry<T>(
  fn: () => T,
  options: BusyRetryOptions,
  context: string,
  details?: Record<string, unknown>,
): Promise<T> {
  const started = Date.now()
  for (let attempt = 0; ; attempt++) {
    try {
      return fn()
    } catch (error) {
      if (!isBusy(error) || Date.now() - started >= options.budgetMs)
        throw storageError(error, context, details)
      // 1, 2, 4 ... 16 ms, jittered: a lock is held for well under a
      // millisecond, so long sleeps would only waste throughput.
      const backoff = Math.min(16, 2 ** attempt)
      await sleep(backoff / 2 + Math.random() * backoff)
    }
  }
}

/** The same loop for code that must stay synchronous (opening the file); it blocks, so only at startup. */
export function withBusyRetrySync<T>(fn: () => T, options: BusyRetryOptions): T {
  const started = Date.now()
  const pause = new Int32Array(new SharedArrayBuffer(4))
  for (let attempt = 0; ; attempt++) {
    try {
      return fn()
    } catch (error) {
      if (!isBusy(error) || Date.now() - started >= options.budgetMs) throw error
      Atomics.wait(pause, 0, 0, Math.min(100, 2 ** attempt) * (0.5 + Math.random()))
    }
  }
}

/**
 * Prepared `BEGIN IMMEDIATE` / `COMMIT` / `ROLLBACK` for one connection, and
 * `SAVEPOINT` when the host already has a transaction open on a shared
 * connection (then our writes commit or roll back with the host's).
 */
export interface Transactions {
  /**
   * Runs `fn` in a write transaction. `BEGIN IMMEDIATE` takes the write lock
   * before the first read, so a read-then-write never fails with
   * `SQLITE_BUSY_SNAPSHOT` halfway (which `busy_timeout` cannot wait out).
   */
  immediate<T>(fn: () => T): T
}

export function transactions(db: SqliteDatabase): Transactions {
  const begin = db.prepare('BEGIN IMMEDIATE')
  const commit = db.prepare('COMMIT')
  const rollback = db.prepare('ROLLBACK')
  const savepoint = db.prepare('SAVEPOINT mastervideo')
  const release = db.prepare('RELEASE mastervideo')
  const rollbackTo = db.prepare('ROLLBACK TO mastervideo')
  return {
    immediate(fn) {
      if (db.inTransaction) {
        savepoint.run()
        try {
          const result = fn()
          release.run()
          return result
        } catch (error) {
          rollbackTo.run()
          release.run()
          throw error
        }
      }
      begin.run()
      try {
        const result = fn()
        commit.run()
        return result
      } catch (error) {
        if (db.inTransaction) rollback.run()
        throw error
      }
    },
  }
}
