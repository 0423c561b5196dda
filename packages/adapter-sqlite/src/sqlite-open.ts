import { invalidOption, storageError, storageFailure } from './errors.js'
import { openDatabase, type SqliteDatabase } from './sqlite-database.js'
import {
  migrate,
  refuseNewer,
  SCHEMA_VERSION,
  storedVersion,
  type TableNames,
  tableNames,
} from './sqlite-migrations.js'
import { withBusyRetrySync } from './sqlite-transaction.js'

/**
 * Where the jobs live: a file this package opens, or the host's own connection.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3'
 * import type { SqliteSource } from '@mastervideo/adapter-sqlite'
 *
 * const own: SqliteSource = { filename: 'data/mastervideo.sqlite' }
 * const shared: SqliteSource = { database: new Database('data/app.sqlite') }
 * ```
 */
export type SqliteSource =
  | { filename: string; database?: never }
  | { database: SqliteDatabase; filename?: never }

/**
 * How the connection is prepared on open.
 *
 * @example
 * ```ts
 * import type { OpenOptions } from '@mastervideo/adapter-sqlite'
 *
 * const options: OpenOptions = { tablePrefix: 'mv_', busyTimeoutMs: 5, integrityCheck: false }
 * ```
 */
export interface OpenOptions {
  /** Prefix of every table and index this package creates. Default `mastervideo_`. */
  tablePrefix?: string
  /**
   * SQLite's `busy_timeout`: how long one statement waits for a lock before
   * the async retry (timers, which do not block) takes over. SQLite's wait
   * blocks the event loop, so it stays short. Default 5 ms. With
   * `{ database }` it is set only when given (or with `pragmas: true`):
   * otherwise the host's own setting applies (better-sqlite3's default is 5 s).
   */
  busyTimeoutMs?: number
  /**
   * Set `journal_mode=WAL`, `synchronous=NORMAL`, `foreign_keys=ON` and
   * `busy_timeout` on open. Default `true` for `{ filename }`, `false` for
   * `{ database }` (the host's connection keeps the settings the host chose).
   */
  pragmas?: boolean
  /**
   * Run `PRAGMA quick_check` on this package's tables at open, so a corrupt
   * file is refused at once rather than failing a job later. Default `true`.
   */
  integrityCheck?: boolean
}

/** A connection ready for the repository: checked, configured and migrated. */
export interface OpenedDatabase {
  db: SqliteDatabase
  /** True when this package opened it, and so must close it. */
  owned: boolean
  file: string
  names: TableNames
}

/**
 * Opens (or adopts) the connection, in an order that never writes to a file it
 * is about to refuse: read-only probes first (is it SQLite, which schema
 * version, is it intact), then the pragmas, then the migration transaction.
 */
export function openSqlite(source: SqliteSource, options: OpenOptions = {}): OpenedDatabase {
  const names = tableNames(options.tablePrefix ?? 'mastervideo_')
  const busyTimeoutMs = options.busyTimeoutMs ?? 5
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw invalidOption(`busyTimeoutMs must be an integer >= 0, got ${busyTimeoutMs}`, {
      details: { field: 'busyTimeoutMs' },
    })
  }
  const owned = typeof source.filename === 'string'
  if (!owned && (source.database === null || typeof source.database?.prepare !== 'function')) {
    throw invalidOption('pass { filename } or { database } (a better-sqlite3 Database)', {
      details: { field: 'database' },
    })
  }
  const file = owned ? (source.filename as string) : (source.database as SqliteDatabase).name

  let db: SqliteDatabase
  try {
    db = owned ? openDatabase(file, { timeout: busyTimeoutMs }) : (source.database as SqliteDatabase)
  } catch (error) {
    throw storageError(error, `cannot open ${file}`, { file })
  }
  try {
    if (db.readonly) {
      throw storageFailure(`${file} was opened read-only; the repository needs to write`, {
        details: { file },
      })
    }
    // Every step may meet a sibling process opening the same new file (and
    // holding it while it switches to WAL or migrates): each is retried while
    // busy. Only the migration writes, and it is one transaction.
    const budget = { budgetMs: 30_000 }
    const version = withBusyRetrySync(() => {
      const found = storedVersion(db, names)
      refuseNewer(found, file)
      if (found > 0 && options.integrityCheck !== false) checkIntegrity(db, names, file)
      return found
    }, budget)
    if (options.pragmas ?? owned) withBusyRetrySync(() => configure(db, busyTimeoutMs, file), budget)
    // Asked for explicitly, the busy timeout is set even on a host's connection.
    else if (options.busyTimeoutMs !== undefined) db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
    // A current file needs no write lock to open (migrate re-reads the version under the lock).
    if (version < SCHEMA_VERSION) withBusyRetrySync(() => migrate(db, names, file), budget)
  } catch (error) {
    if (owned) db.close()
    throw storageError(error, `cannot use ${file}`, { file })
  }
  return { db, owned, file, names }
}

function checkIntegrity(db: SqliteDatabase, names: TableNames, file: string): void {
  const rows = db.prepare(`PRAGMA quick_check(${names.jobs})`).all() as { quick_check: string }[]
  const problems = rows.map((row) => row.quick_check).filter((line) => line !== 'ok')
  if (problems.length > 0) {
    throw storageFailure(
      `${file} is corrupt (quick_check: ${problems.slice(0, 3).join('; ')}); restore it from a backup`,
      { details: { file, problems: problems.slice(0, 10) } },
    )
  }
}

function configure(db: SqliteDatabase, busyTimeoutMs: number, file: string): void {
  db.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`)
  const mode = (db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }).journal_mode
  // An in-memory database reports `memory`: nothing to share, nothing to lose.
  if (mode !== 'wal' && mode !== 'memory') {
    throw storageFailure(`${file} cannot use WAL (journal_mode stayed ${mode}); is it on a network drive?`, {
      details: { file, journalMode: mode },
    })
  }
  db.exec('PRAGMA synchronous = NORMAL')
  db.exec('PRAGMA foreign_keys = ON')
}
