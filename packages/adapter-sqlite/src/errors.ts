import { isMasterVideoError, type MasterVideoError } from '@mastervideo/core'
import { originErrors } from '@mastervideo/core/adapter'

/** The package every error of this adapter names as its `origin` (logs show it; messages do not). */
export const ORIGIN = '@mastervideo/adapter-sqlite'

const errors = originErrors(ORIGIN)

/** `VALIDATION`: an option or a value this package cannot take as given. */
export const invalidOption = errors.validation

/** `STORAGE`: the database file cannot be used as it is. */
export const storageFailure = errors.storage

/** `ASSET_NOT_FOUND`: the host's table has no usable path for an asset. */
export const assetNotFound = errors.assetNotFound

/** The `code` better-sqlite3 puts on a `SqliteError` (`SQLITE_BUSY`, `SQLITE_CORRUPT`, ...). */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

/**
 * True when another connection holds the lock: `SQLITE_BUSY` and its extended
 * codes (`_SNAPSHOT`, `_RECOVERY`, `_TIMEOUT`), and `SQLITE_LOCKED`. These are
 * worth trying again; nothing else is.
 */
export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error)
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
}

/**
 * Wraps a driver error as `STORAGE`, with a message that says what it means
 * for the file rather than SQLite's terse wording. Mastervideo errors pass
 * through unchanged.
 */
export function storageError(
  error: unknown,
  context: string,
  details: Record<string, unknown> = {},
): MasterVideoError {
  if (isMasterVideoError(error)) return error
  const code = sqliteCode(error)
  const raw = error instanceof Error ? error.message : String(error)
  const meaning = explain(code)
  return storageFailure(`${context}: ${meaning ? `${meaning} (${raw})` : raw}`, {
    cause: error,
    // A lock held too long is transient; a corrupt or read-only file is not.
    retryable: isBusy(error),
    details: { ...details, ...(code ? { sqliteCode: code } : {}) },
  })
}

function explain(code: string | undefined): string | undefined {
  if (!code) return undefined
  if (code === 'SQLITE_NOTADB') return 'the file is not a SQLite database'
  if (code.startsWith('SQLITE_CORRUPT')) return 'the database file is corrupt'
  if (code.startsWith('SQLITE_READONLY'))
    return 'the database (or its directory, for the -wal and -shm files) is read-only'
  if (code.startsWith('SQLITE_CANTOPEN'))
    return 'the file cannot be opened (missing directory or no permission)'
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return 'the database stayed locked by another connection past the retry budget'
  if (code === 'SQLITE_FULL') return 'the disk is full'
  return undefined
}
