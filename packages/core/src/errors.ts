/**
 * Every error mastervideo throws on purpose is a {@link MasterVideoError} with a
 * stable {@link ErrorCode}. The code, not the class or the message, is the
 * contract: it is stored on a failed job, returned by the HTTP routes, and it
 * decides whether the worker retries.
 */

/** Every error code, mapped to whether a job that failed with it is worth another attempt. */
export const RETRYABLE = {
  /** No record with that id (or not in that project). */
  NOT_FOUND: false,
  /** The state machine forbids this change of status. */
  ILLEGAL_TRANSITION: false,
  /** The caller's input is malformed: empty name, no shots, unknown option. */
  VALIDATION: false,
  /** A shot's asset cannot be found or resolves outside the allowed root. */
  ASSET_NOT_FOUND: false,
  /** A clip is not a video the transcoder accepts (corrupt, not a container, a playlist). */
  INPUT_INVALID: false,
  /** The transcoder ran and failed; the message carries the end of its log. */
  TRANSCODE_FAILED: true,
  /** The job ran past its time limit, or the transcoder stalled. */
  TIMEOUT: true,
  /** Someone canceled the job. */
  CANCELED: false,
  /** The disk is full (ENOSPC). */
  NO_SPACE: true,
  /** The worker's lease on the job is gone: it expired and another worker may hold the job. */
  LEASE_LOST: false,
  /** The job's worker stopped heartbeating on every attempt (it crashed each time). */
  LEASE_EXPIRED: false,
  /** The repository or output store failed (corrupt database, unreadable file). */
  STORAGE: false,
  /** Anything unexpected: a bug, or an error from code that does not use these codes. */
  INTERNAL: true,
  /** The configured port lacks an optional capability the call needs (a repository without `stats`). */
  UNSUPPORTED: false,
} as const satisfies Record<string, boolean>

/** The stable error codes. Documented on each `*Error` class. */
export type ErrorCode = keyof typeof RETRYABLE

/** All error codes, for validation and exhaustive tables. */
export const ERROR_CODES = Object.keys(RETRYABLE) as readonly ErrorCode[]

/** Options every mastervideo error accepts. */
export interface MasterVideoErrorOptions {
  /** The underlying error. */
  cause?: unknown
  /** Overrides the code's default retryability for this one error. */
  retryable?: boolean
  /** Machine-readable extra facts (for example the status a job was in). */
  details?: Record<string, unknown>
  /**
   * The package that raised it (`'@mastervideo/adapter-sqlite'`). Logs show it;
   * the message itself stays free of prefixes, because clients may read it.
   */
  origin?: string
}

/**
 * The base of every error mastervideo throws on purpose.
 *
 * @example
 * ```ts
 * import { isMasterVideoError } from '@mastervideo/core'
 *
 * try {
 *   await mv.retry('master_1_abcdefgh')
 * } catch (error) {
 *   if (isMasterVideoError(error) && error.code === 'ILLEGAL_TRANSITION') console.log('not failed yet')
 * }
 * ```
 */
export class MasterVideoError extends Error {
  /** The stable code. */
  readonly code: ErrorCode
  /** Whether the worker retries a job that failed with this error. */
  readonly retryable: boolean
  /** Machine-readable extra facts. */
  readonly details: Record<string, unknown> | undefined
  /** The package that raised it, for logs (see {@link MasterVideoErrorOptions.origin}). */
  readonly origin: string | undefined

  constructor(code: ErrorCode, message: string, options: MasterVideoErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'MasterVideoError'
    this.code = code
    this.retryable = options.retryable ?? RETRYABLE[code]
    this.details = options.details
    this.origin = options.origin
  }
}

/** `NOT_FOUND`: no record with that id. */
export class NotFoundError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('NOT_FOUND', message, options)
    this.name = 'NotFoundError'
  }
}
/** `ILLEGAL_TRANSITION`: the state machine forbids the change. */
export class IllegalTransitionError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('ILLEGAL_TRANSITION', message, options)
    this.name = 'IllegalTransitionError'
  }
}
/** `VALIDATION`: malformed input. */
export class ValidationError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('VALIDATION', message, options)
    this.name = 'ValidationError'
  }
}
/** `ASSET_NOT_FOUND`: a shot's file is missing or outside the allowed root. */
export class AssetNotFoundError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('ASSET_NOT_FOUND', message, options)
    this.name = 'AssetNotFoundError'
  }
}
/** `INPUT_INVALID`: a clip the transcoder refuses. */
export class InputInvalidError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('INPUT_INVALID', message, options)
    this.name = 'InputInvalidError'
  }
}
/** `TRANSCODE_FAILED`: the transcoder ran and failed. */
export class TranscodeFailedError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('TRANSCODE_FAILED', message, options)
    this.name = 'TranscodeFailedError'
  }
}
/** `TIMEOUT`: past the time limit, or stalled. */
export class TimeoutError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('TIMEOUT', message, options)
    this.name = 'TimeoutError'
  }
}
/** `CANCELED`: the job was canceled. */
export class CanceledError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('CANCELED', message, options)
    this.name = 'CanceledError'
  }
}
/** `NO_SPACE`: the disk is full. */
export class NoSpaceError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('NO_SPACE', message, options)
    this.name = 'NoSpaceError'
  }
}
/** `LEASE_LOST`: this worker no longer holds the job. */
export class LeaseLostError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('LEASE_LOST', message, options)
    this.name = 'LeaseLostError'
  }
}
/** `UNSUPPORTED`: a port the service was given lacks an optional method the call needs. */
export class UnsupportedError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('UNSUPPORTED', message, options)
    this.name = 'UnsupportedError'
  }
}
/** `STORAGE`: the repository or output store failed. */
export class StorageError extends MasterVideoError {
  constructor(message: string, options?: MasterVideoErrorOptions) {
    super('STORAGE', message, options)
    this.name = 'StorageError'
  }
}

/**
 * True for any error mastervideo threw on purpose, whichever package or copy
 * of core it came from (it checks the shape, not `instanceof`).
 *
 * @example
 * ```ts
 * import { isMasterVideoError } from '@mastervideo/core'
 *
 * const error: unknown = new Error('boom')
 * console.log(isMasterVideoError(error) ? error.code : 'INTERNAL')
 * ```
 */
export function isMasterVideoError(error: unknown): error is MasterVideoError {
  return (
    error instanceof Error &&
    typeof (error as Partial<MasterVideoError>).code === 'string' &&
    Object.hasOwn(RETRYABLE, (error as unknown as { code: string }).code) &&
    typeof (error as Partial<MasterVideoError>).retryable === 'boolean'
  )
}

/** Whether a job failing with `code` is retried by default. */
export function isRetryableCode(code: ErrorCode): boolean {
  return RETRYABLE[code]
}

/** Whether `value` is one of the stable error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(RETRYABLE, value)
}

/** Options of {@link toMasterVideoError}. */
export interface ToMasterVideoErrorOptions {
  /** The package that caught it (`'@mastervideo/adapter-ffmpeg'`), set as the error's `origin`. */
  origin?: string
  /**
   * What was being done, in plain words and without paths (`'cannot commit the
   * video'`). It opens the message and is kept in `details.context`.
   */
  context?: string
}

// An absolute path (POSIX or Windows) up to its last separator.
const ABSOLUTE_PATH_DIRS = /(?:\b[A-Za-z]:)?(?:[\\/][^\s'"`\\/]+)+[\\/](?=[^\s'"`\\/])/g

/**
 * `text` with every absolute path cut to its base name
 * (`open '/srv/data/a.mp4'` becomes `open 'a.mp4'`), so a message a client
 * may read names the file without showing where the server keeps it.
 *
 * @example
 * ```ts
 * import { withoutPaths } from '@mastervideo/core/adapter'
 *
 * console.log(withoutPaths("ENOENT: no such file or directory, open '/srv/v/a.mp4'")) // ... open 'a.mp4'
 * ```
 */
export function withoutPaths(text: string): string {
  return text.replace(ABSOLUTE_PATH_DIRS, '')
}

/**
 * Turns anything thrown into a {@link MasterVideoError}: mastervideo errors pass
 * through unchanged; `ENOSPC` becomes `NO_SPACE`; the rest becomes `INTERNAL`.
 * The thrown value is the `cause` (logs show it whole); the message carries its
 * text with absolute paths cut to base names, after `context` when given.
 *
 * @example
 * ```ts
 * import { toMasterVideoError } from '@mastervideo/core'
 *
 * const error = toMasterVideoError(new Error('disk on fire'), { context: 'cannot save the video' })
 * console.log(error.code, error.message) // INTERNAL cannot save the video: disk on fire
 * ```
 */
export function toMasterVideoError(
  error: unknown,
  options: ToMasterVideoErrorOptions = {},
): MasterVideoError {
  if (isMasterVideoError(error)) return error
  const { origin, context } = options
  const code = (error as { code?: unknown } | null)?.code
  const text = withoutPaths(error instanceof Error ? error.message : String(error))
  const wrap = { cause: error, origin, ...(context ? { details: { context } } : {}) }
  if (code === 'ENOSPC') {
    return new NoSpaceError(`${context ? `${context}: ` : ''}no space left on device`, wrap)
  }
  return new MasterVideoError('INTERNAL', context ? `${context}: ${text}` : text, wrap)
}
