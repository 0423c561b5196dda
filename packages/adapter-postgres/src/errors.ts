import { isMasterVideoError, type MasterVideoError } from '@mastervideo/core'
import { originErrors } from '@mastervideo/core/adapter'

/** The package every error of this adapter names as its `origin` (logs show it; messages do not). */
export const ORIGIN = '@mastervideo/adapter-postgres'

const errors = originErrors(ORIGIN)

/** `VALIDATION`: an option this package cannot take as given. */
export const invalidOption = errors.validation

/** `STORAGE`: the database refused or lost a statement, or holds what this release cannot use. */
export const storageFailure = errors.storage

// SQLSTATE classes after which the session is gone, so the statement did not
// commit and the next pooled connection may well succeed: 08 connection
// exception, 57P01..57P03 the server terminated or is starting/stopping.
const CONNECTION_SQLSTATE = /^(08|57P0[1-3])/
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error',
  'Client was closed',
  'timeout exceeded when trying to connect',
  // pg's client-side query_timeout: the reply never came, the statement's
  // outcome is unknown exactly as after a reset.
  'Query read timeout',
]
const CONNECTION_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN'])

/**
 * Whether `error` means the connection broke or the reply never came (worth
 * a retry on a fresh one) rather than the query was wrong. After such an
 * error a write may or may not have committed: the caller must find out
 * before it re-sends.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && (CONNECTION_SQLSTATE.test(code) || CONNECTION_ERRNOS.has(code))) return true
  return CONNECTION_MESSAGES.some((m) => error.message.includes(m))
}

/**
 * Wraps a driver error as `STORAGE`, keeping the cause; mastervideo errors
 * pass through unchanged. A broken connection is marked retryable: the job is
 * worth another attempt once the database is back.
 */
export function storageError(
  error: unknown,
  context: string,
  details?: Record<string, unknown>,
): MasterVideoError {
  if (isMasterVideoError(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return storageFailure(`${context} failed: ${message}`, {
    cause: error,
    retryable: isConnectionError(error) || isCanceledStatement(error),
    ...(details ? { details } : {}),
  })
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/
// Leaves room for the `mastervideo_` notification channel prefix within
// PostgreSQL's 63-byte identifier limit.
const MAX_SCHEMA_LENGTH = 48

/**
 * Checks a schema name before it is ever placed in SQL: lower-case letters,
 * digits and `_`, not starting with a digit, at most 48 characters. Names that
 * need quoting are refused rather than escaped, so what the user sees in `psql`
 * is exactly what they configured.
 *
 * @throws `VALIDATION` for anything else (including every attempt at SQL).
 * @example
 * ```ts
 * import { validateSchemaName } from '@mastervideo/adapter-postgres'
 *
 * validateSchemaName('mastervideo') // 'mastervideo'
 * validateSchemaName('x"; DROP TABLE users; --') // throws VALIDATION
 * ```
 */
export function validateSchemaName(schema: unknown): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.length > MAX_SCHEMA_LENGTH) {
    throw invalidOption(
      `schema must match /^[a-z_][a-z0-9_]*$/ and be at most ${MAX_SCHEMA_LENGTH} characters, got ${JSON.stringify(String(schema)).slice(0, 80)}`,
      { details: { field: 'schema' } },
    )
  }
  if (schema.startsWith('pg_')) {
    throw invalidOption('schema names starting with pg_ are reserved by PostgreSQL', {
      details: { field: 'schema' },
    })
  }
  return schema
}

/**
 * The LISTEN/NOTIFY channel of a schema's jobs (the trigger computes the same
 * name from `TG_TABLE_SCHEMA`), for hosts that want to listen themselves.
 *
 * @example
 * ```ts
 * import { channelName } from '@mastervideo/adapter-postgres'
 *
 * channelName('mastervideo') // 'mastervideo_mastervideo'
 * ```
 */
export function channelName(schema: string): string {
  return `mastervideo_${validateSchemaName(schema)}`
}

/**
 * Whether the server canceled the statement (`57014`, `statement_timeout`):
 * it did not commit, and the same statement may be sent again.
 */
export function isCanceledStatement(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === '57014'
}
