import path from 'node:path'
import {
  type AssetNotFoundError,
  type InputInvalidError,
  type MasterVideoError,
  type MasterVideoErrorOptions,
  toMasterVideoError,
} from '@mastervideo/core'
import {
  abortError as coreAbortError,
  throwIfAborted as coreThrowIfAborted,
  originErrors,
} from '@mastervideo/core/adapter'

/** The package every error of this adapter names as its `origin` (logs show it; messages do not). */
export const ORIGIN = '@mastervideo/adapter-ffmpeg'

const errors = originErrors(ORIGIN)

/** `INPUT_INVALID`: a clip we refuse. */
export const inputInvalid = errors.inputInvalid

/** `ASSET_NOT_FOUND`: an input path with nothing behind it. */
export const assetNotFound = errors.assetNotFound

/** `TRANSCODE_FAILED`: ffmpeg or ffprobe ran (or could not) and failed. */
export const transcodeFailed = errors.transcodeFailed

/** `TIMEOUT`: a run took too long or stalled. */
export const timedOut = errors.timeout

/** `VALIDATION`: a request this transcoder cannot take as given. */
export const invalidRequest = errors.validation

/**
 * `INPUT_INVALID` for one file: the message names it by base name only (a
 * client may read it); the full path goes in `details.path`.
 */
export function clipInvalid(
  file: string,
  reason: string,
  options?: MasterVideoErrorOptions,
): InputInvalidError {
  return inputInvalid(`${JSON.stringify(path.basename(file))} is not a video we accept: ${reason}`, {
    ...options,
    details: { path: file, ...options?.details },
  })
}

/** `ASSET_NOT_FOUND` for an input file that does not exist, named by base name. */
export function clipMissing(file: string, cause?: unknown): AssetNotFoundError {
  return assetNotFound(`Input ${JSON.stringify(path.basename(file))} does not exist`, {
    cause,
    details: { path: file },
  })
}

/** The error an aborted call rejects with: the signal's reason when it is a mastervideo error, else `CANCELED`. */
export function abortError(signal: AbortSignal): MasterVideoError {
  return coreAbortError(signal, { origin: ORIGIN })
}

/** Throws {@link abortError} when `signal` is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  coreThrowIfAborted(signal, { origin: ORIGIN })
}

/** Anything thrown, as a mastervideo error of this package (see `toMasterVideoError`). */
export function wrapError(error: unknown, context: string): MasterVideoError {
  return toMasterVideoError(error, { origin: ORIGIN, context })
}

const NO_SPACE = /No space left on device|ENOSPC/i

/**
 * Whether ffmpeg's stderr says the disk filled up. ffmpeg can exit 0 after
 * failing to write its trailer ("Error writing trailer of ...: No space left
 * on device"), so the exit code alone does not tell.
 */
export function reportsNoSpace(stderrTail: string[]): boolean {
  return NO_SPACE.test(stderrTail.join('\n'))
}

/**
 * Maps a failed ffmpeg run to a code from its last stderr lines: a full disk
 * is `NO_SPACE` (retryable once space is freed), anything else
 * `TRANSCODE_FAILED`. The message says which step failed and how it ended;
 * the stderr lines, which name server paths, go in `details.stderr` for the
 * logs.
 */
export function ffmpegFailure(what: string, exit: string, stderrTail: string[]): MasterVideoError {
  const options = { details: { stderr: stderrTail, exit } }
  if (reportsNoSpace(stderrTail)) {
    return errors.noSpace(`The ${what} stopped: no space left on device`, options)
  }
  return errors.transcodeFailed(`The ${what} failed (${exit})`, options)
}
