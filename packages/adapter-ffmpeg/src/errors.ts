import {
  AssetNotFoundError,
  CanceledError,
  InputInvalidError,
  isMasterVideoError,
  type MasterVideoError,
  type MasterVideoErrorOptions,
  NoSpaceError,
  TranscodeFailedError,
} from '@mastervideo/core'

/** Every message this package writes starts with it. */
export const PREFIX = '[mastervideo/ffmpeg]'

/** `INPUT_INVALID` for a clip we refuse, with the file named. */
export function inputInvalid(
  file: string,
  reason: string,
  options?: MasterVideoErrorOptions,
): InputInvalidError {
  return new InputInvalidError(`${PREFIX} ${JSON.stringify(file)} is not a video we accept: ${reason}`, {
    ...options,
    details: { path: file, ...options?.details },
  })
}

/** `ASSET_NOT_FOUND` for an input path with nothing behind it. */
export function assetNotFound(file: string, cause?: unknown): AssetNotFoundError {
  return new AssetNotFoundError(`${PREFIX} input ${JSON.stringify(file)} does not exist`, {
    cause,
    details: { path: file },
  })
}

/**
 * The error an aborted call rejects with: the signal's reason when it is
 * ours (the worker aborts with `LEASE_LOST` or `TIMEOUT`), else `CANCELED`.
 */
export function abortError(signal: AbortSignal): MasterVideoError {
  if (isMasterVideoError(signal.reason)) return signal.reason
  return new CanceledError(`${PREFIX} aborted`, { cause: signal.reason })
}

/** Throws {@link abortError} when `signal` is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal)
}

const NO_SPACE = /No space left on device|ENOSPC/i

/**
 * Maps a failed ffmpeg run to a code from its last stderr lines: a full disk
 * is `NO_SPACE` (retryable once space is freed), anything else
 * `TRANSCODE_FAILED` with the lines in the message, because that is what an
 * operator reads first.
 */
export function ffmpegFailure(what: string, exit: string, stderrTail: string[]): MasterVideoError {
  const log = stderrTail.join('\n')
  const message = `${PREFIX} ${what} failed (${exit})${log ? `:\n${log}` : ''}`
  if (NO_SPACE.test(log)) return new NoSpaceError(message, { details: { stderr: stderrTail } })
  return new TranscodeFailedError(message, { details: { stderr: stderrTail } })
}
