import { isMasterVideoError, type MasterVideoError, toMasterVideoError } from '@mastervideo/core'
import { originErrors, withoutPaths } from '@mastervideo/core/adapter'

/** The package every error of this adapter names as its `origin` (logs show it; messages do not). */
export const ORIGIN = '@mastervideo/adapter-s3'

const errors = originErrors(ORIGIN)

/** `VALIDATION`: a key, prefix or option this adapter refuses. */
export const invalid = errors.validation

/** `NOT_FOUND`: nothing stored under an output key. */
export const notFound = errors.notFound

/** `ASSET_NOT_FOUND`: a shot names an object that is missing or not allowed. */
export const assetNotFound = errors.assetNotFound

/** `STORAGE`: the object store or the local cache failed. */
export const storage = errors.storage

/** What the AWS SDK puts on a service error (`name`, `$metadata.httpStatusCode`). */
interface ServiceErrorShape {
  name?: unknown
  Code?: unknown
  $metadata?: { httpStatusCode?: unknown }
}

/** The HTTP status of an S3 service error, or undefined for a network error. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as ServiceErrorShape | null)?.$metadata?.httpStatusCode
  return typeof status === 'number' ? status : undefined
}

/** The S3 error code (`NoSuchKey`, `NotFound`, `InvalidRange`, ...). */
export function s3Code(error: unknown): string | undefined {
  const shape = error as ServiceErrorShape | null
  const code = shape?.Code ?? shape?.name
  return typeof code === 'string' ? code : undefined
}

/**
 * Whether `error` says the key has no object. A HEAD has no body, so its 404
 * comes back as `NotFound` whether the key or (rarely) the bucket is missing;
 * a GET says `NoSuchKey`, and a missing bucket (`NoSuchBucket`) is not this.
 */
export function isMissingKey(error: unknown): boolean {
  const code = s3Code(error)
  return code === 'NoSuchKey' || (code === 'NotFound' && httpStatus(error) === 404)
}

/** Whether the bucket does not exist (yet). */
export function isMissingBucket(error: unknown): boolean {
  return s3Code(error) === 'NoSuchBucket'
}

/** Whether a range request started at or past the end of the object (HTTP 416). */
export function isInvalidRange(error: unknown): boolean {
  return s3Code(error) === 'InvalidRange' || httpStatus(error) === 416
}

/** Errors of the connection to S3 (worth another attempt), not of the local disk. */
const NETWORK_ERRNOS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
])

/**
 * Wraps an S3 or file-system failure: `NO_SPACE` for a full local disk;
 * otherwise `STORAGE`, retryable when the service answered 5xx, throttled, or
 * did not answer at all (the object store may be back on the next attempt),
 * not for a 4xx (a permission or a bucket to fix). The message names no local
 * path. Mastervideo errors pass through unchanged.
 */
export function storageError(
  context: string,
  error: unknown,
  details: Record<string, unknown> = {},
): MasterVideoError {
  if (isMasterVideoError(error)) return error
  const errno = (error as { code?: unknown } | null)?.code
  if (errno === 'ENOSPC') return toMasterVideoError(error, { origin: ORIGIN, context })
  const status = httpStatus(error)
  const code = s3Code(error)
  const text = withoutPaths(error instanceof Error ? error.message : String(error))
  const local = typeof errno === 'string' && status === undefined && !NETWORK_ERRNOS.has(errno)
  // A HEAD has no body to say why: the SDK's message is the bare status name.
  const why =
    status === 403 ? `access denied (without s3:ListBucket, S3 also answers 403 for a missing key)` : text
  return storage(`${context}: ${why}`, {
    cause: error,
    retryable: local ? false : status === undefined || status >= 500 || status === 429 || code === 'SlowDown',
    details: {
      ...details,
      ...(status === undefined ? {} : { httpStatus: status }),
      ...(code ? { code } : {}),
    },
  })
}
